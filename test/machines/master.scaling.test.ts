/**
 * The adaptive count (--workers MIN:MAX), decided in the master machine on LOAD_SAMPLE events:
 * up after the window or at once on a deep queue, one at a time, down after the quiet window and
 * the cooldown, within MIN and the ceiling
 * (MAX, the CPUs, the memory), TTIN/TTOU within the same bounds, a reload keeps the count.
 */
import { describe, expect, it } from 'vitest';
import {
  ceiling,
  initialScaler,
  memoryCeiling,
  MEMORY_HEADROOM,
  neededWorkers,
  plannedMax,
  readSample,
  SCALING_DEFAULTS,
  type ScalingSettings,
} from '../../machines/master.scaling.js';
import { ceilingOf, floorOf, scalingFigures } from '../../machines/master.count.js';
import type { MasterSettings } from '../../machines/master.context.js';
import { drive, SETTINGS, type Harness } from './harness.js';

const MiB = 2 ** 20;
const SCALING: ScalingSettings = { min: 1, max: 3, ...SCALING_DEFAULTS };
const ADAPTIVE: Partial<MasterSettings> = { workers: 1, scaling: SCALING, limits: { cpus: 4, memoryBytes: 4096 * MiB } };

/** A sample in which every live worker reports `elu` and `rss`, and `queued` connections wait. */
function sample(h: Harness, elu: number, queued = 0, rss = 50 * MiB) {
  const workers: Record<number, { elu: number; rssBytes: number }> = {};
  for (const w of h.workers()) workers[w.id] = { elu, rssBytes: rss };
  return h.send({
    type: 'LOAD_SAMPLE',
    queues: [
      { socket: 'http://127.0.0.1:8000', waiting: queued },
      { socket: 'unix:/s', waiting: null },
    ],
    workers,
    masterRssBytes: 60 * MiB,
  });
}

const start = (settings: Partial<MasterSettings> = ADAPTIVE) => drive(settings).readyAll();
const scaleLogs = (h: Harness) => h.logs(/^scaling (up|down)/).map((l) => [l.fields.direction, l.fields.reason, l.fields.from, l.fields.to]);

describe('adaptive count: the rules', () => {
  it('reads a sample: the queues summed (unmeasurable ones left out), the mean of ready current workers only', () => {
    const h = start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 2 } });
    const [a, b] = h.workers();
    const r = readSample(
      SCALING,
      {
        queues: [
          { socket: 'x', waiting: 2 },
          { socket: 'y', waiting: null },
          { socket: 'z', waiting: 1 },
        ],
        workers: { [a.id]: { elu: 0.5, rssBytes: 10 }, [b.id]: { elu: 0.9, rssBytes: 30 }, 99: { elu: 1, rssBytes: 70 } },
        masterRssBytes: 0,
      },
      h.workers(),
      h.ctx().generation,
    );
    expect(r).toEqual({ queued: 3, meanElu: 0.7, sumElu: 1.4, largestRss: 70, busy: true, surge: false, quiet: false });
    const idle = readSample(SCALING, { queues: [], workers: { [a.id]: { elu: 0.2, rssBytes: 1 } }, masterRssBytes: 0 }, h.workers(), h.ctx().generation);
    expect([idle.busy, idle.quiet, idle.meanElu]).toEqual([false, true, 0.2]);
    // Not reported yet (elu null): its size counts, its utilisation does not.
    const fresh = readSample(
      SCALING,
      { queues: [], workers: { [a.id]: { elu: null, rssBytes: 90 }, [b.id]: { elu: 0.9, rssBytes: 30 } }, masterRssBytes: 0 },
      h.workers(),
      h.ctx().generation,
    );
    expect(fresh).toMatchObject({ meanElu: 0.9, sumElu: 0.9, largestRss: 90, busy: true });
    // No worker reported: neither busy nor quiet, whatever the thresholds.
    expect(readSample(SCALING, { queues: [], workers: {}, masterRssBytes: 0 }, h.workers(), 1)).toMatchObject({ meanElu: null, busy: false, quiet: false });
  });

  it('the ceiling: MAX as given, else one worker per CPU (rounded up); the memory bounds both', () => {
    expect(plannedMax({ ...SCALING, max: null }, { cpus: 1.5, memoryBytes: null })).toBe(2);
    expect(plannedMax({ ...SCALING, max: null, min: 3 }, { cpus: 1, memoryBytes: null })).toBe(3);
    expect(plannedMax({ ...SCALING, max: 8 }, { cpus: 1, memoryBytes: null })).toBe(8);
    expect(memoryCeiling({ cpus: 2, memoryBytes: 1000 * MiB }, 100 * MiB, 100 * MiB)).toBe(Math.floor((1000 * (1 - MEMORY_HEADROOM) - 100) / 100));
    expect(memoryCeiling({ cpus: 2, memoryBytes: null }, 100 * MiB, 0)).toBeNull();
    expect(memoryCeiling({ cpus: 2, memoryBytes: MiB }, 0, 0)).toBeNull();
    expect(ceiling({ ...SCALING, max: null }, { cpus: 4, memoryBytes: null }, 2)).toEqual({ max: 2, reason: 'memory' });
    expect(ceiling({ ...SCALING, max: null }, { cpus: 4, memoryBytes: null }, 4)).toEqual({ max: 4, reason: 'cpu' });
    expect(ceiling({ ...SCALING, max: 3 }, { cpus: 4, memoryBytes: null }, null)).toEqual({ max: 3, reason: 'max' });
    // Memory for none beyond MIN: MIN still runs (the operator asked for it).
    expect(ceiling({ ...SCALING, min: 2 }, { cpus: 4, memoryBytes: null }, 0)).toEqual({ max: 2, reason: 'memory' });
  });

  it('down to what the quiet load needs at the middle of the thresholds, never below MIN nor above now', () => {
    expect(neededWorkers(SCALING, 0.05, 3)).toBe(1);
    expect(neededWorkers(SCALING, 1.2, 4)).toBe(3);
    expect(neededWorkers({ ...SCALING, min: 2 }, 0, 4)).toBe(2);
    expect(neededWorkers(SCALING, 9, 3)).toBe(3);
  });
});

describe('adaptive count: decided in the machine', () => {
  it('adds a worker only once the load stayed high for --scale-up-after, and the next only once that one serves', () => {
    const h = start();
    sample(h, 0.95);
    expect(h.ctx().target).toBe(1);
    sample(h.advance(SCALING.upAfterMs - 1), 0.95);
    expect(h.ctx().target).toBe(1);
    sample(h.advance(1), 0.95);
    expect(h.ctx().target).toBe(2);
    expect(h.spawned()).toHaveLength(2);
    // The new one boots: the load stays high, nothing more is added.
    sample(h.advance(5_000), 0.95);
    sample(h.advance(5_000), 0.95);
    expect(h.ctx().target).toBe(2);
    h.readyAll();
    sample(h.advance(100), 0.95, 4);
    sample(h.advance(SCALING.upAfterMs), 0.95, 4);
    expect(h.ctx().target).toBe(3);
    expect(scaleLogs(h)).toEqual([
      ['up', 'utilisation', 1, 2],
      ['up', 'accept-queue', 2, 3],
    ]);
  });

  it('a queue of --scale-up-queue connections adds a worker at once, without the window; one below waits for it', () => {
    const h = start();
    sample(h, 0.5, SCALING.upQueue - 1);
    expect(h.ctx().target).toBe(1);
    sample(h.advance(10), 0.5, SCALING.upQueue);
    expect(h.ctx().target).toBe(2);
    expect(h.logs(/^scaling up/)[0].fields).toMatchObject({ reason: 'accept-queue', queued: SCALING.upQueue, from: 1, to: 2 });
    // Still one at a time: not while the new one boots, at once again once it serves.
    sample(h.advance(10), 1, 50);
    expect(h.ctx().target).toBe(2);
    h.readyAll();
    sample(h.advance(10), 1, 50);
    expect(h.ctx().target).toBe(3);
  });

  it('--scale-up-queue 0 turns the surge off: the window decides; --scale-up-after 0 adds on the first busy sample', () => {
    const h = start({ ...ADAPTIVE, scaling: { ...SCALING, upQueue: 0 } });
    sample(h, 1, 500);
    sample(h.advance(SCALING.upAfterMs - 1), 1, 500);
    expect(h.ctx().target).toBe(1);
    sample(h.advance(1), 1, 500);
    expect(h.ctx().target).toBe(2);
    const g = start({ ...ADAPTIVE, scaling: { ...SCALING, upAfterMs: 0 } });
    sample(g, 0.5);
    expect(g.ctx().target).toBe(1);
    sample(g, 0.9);
    expect(g.ctx().target).toBe(2);
  });

  it('a sample that is not busy restarts the window', () => {
    const h = start();
    sample(h, 0.95);
    sample(h.advance(600), 0.5);
    sample(h.advance(600), 0.95);
    sample(h.advance(600), 0.95);
    expect(h.ctx().target).toBe(1);
    sample(h.advance(400), 0.95);
    expect(h.ctx().target).toBe(2);
  });

  it('at the ceiling says so once per busy run, with the reason, and adds nothing', () => {
    const h = start({ ...ADAPTIVE, scaling: { ...SCALING, max: 1 } });
    for (let i = 0; i < 5; i++) sample(h.advance(1_000), 1, 3);
    expect(h.ctx().target).toBe(1);
    expect(h.logs(/ceiling/).map((l) => l.fields.reason)).toEqual(['max']);
    sample(h.advance(1_000), 0.5);
    sample(h.advance(1_000), 1, 3);
    sample(h.advance(1_000), 1, 3);
    expect(h.logs(/ceiling/)).toHaveLength(2);
  });

  it('never past what the memory holds at the largest worker: the reason is memory', () => {
    // (1000 MiB * 0.8 - 60 MiB) / 300 MiB = 2 workers.
    const h = start({ ...ADAPTIVE, scaling: { ...SCALING, max: null }, limits: { cpus: 8, memoryBytes: 1000 * MiB } });
    for (let i = 0; i < 4; i++) sample(h.advance(1_000), 1, 0, 300 * MiB);
    h.readyAll();
    for (let i = 0; i < 4; i++) sample(h.advance(1_000), 1, 0, 300 * MiB);
    expect(h.ctx().target).toBe(2);
    expect(h.logs(/ceiling/).map((l) => [l.fields.reason, l.fields.max])).toEqual([['memory', 2]]);
  });

  it('retires what the load does not need once it stayed quiet and the count unchanged for the cooldown', () => {
    const h = start({ ...ADAPTIVE, workers: 3, scaling: { ...SCALING, min: 1 } });
    sample(h, 0.1);
    sample(h.advance(SCALING.cooldownMs - 1), 0.1);
    expect(h.ctx().target).toBe(3);
    sample(h.advance(1), 0.1);
    expect(h.ctx().target).toBe(1);
    expect(h.signals('SIGTERM')).toHaveLength(2);
    expect(scaleLogs(h)).toEqual([['down', 'quiet', 3, 1]]);
  });

  it('a light load (neither busy nor quiet) holds the count; so does a queue', () => {
    const h = start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 1 } });
    for (let i = 0; i < 40; i++) sample(h.advance(1_000), i % 2 ? 0.5 : 0.1, i === 39 ? 1 : 0);
    expect(h.ctx().target).toBe(2);
  });

  it('TTIN and TTOU move within MIN and the ceiling, and the scaler holds their count for a cooldown', () => {
    const h = start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 2, max: 3 } });
    h.send({ type: 'TTOU' });
    expect(h.ctx().target).toBe(2);
    expect(h.logs(/TTOU ignored: already at the fewest/)).toHaveLength(1);
    h.send({ type: 'TTIN' }).send({ type: 'TTIN' });
    expect(h.ctx().target).toBe(3);
    expect(h.logs(/TTIN ignored/)).toHaveLength(1);
    sample(h.advance(SCALING.cooldownMs - 1), 0);
    expect(h.ctx().target).toBe(3);
    sample(h.advance(1), 0);
    expect(h.ctx().target).toBe(2);
  });

  it('a reload while scaled up boots the current count, not MIN, within the new range', () => {
    const h = start();
    sample(h, 1);
    sample(h.advance(1_000), 1);
    h.readyAll();
    expect(h.ctx().target).toBe(2);
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, ...ADAPTIVE } });
    expect(h.ctx().target).toBe(2);
    expect(h.spawned().filter((s) => s.generation === 2)).toHaveLength(2);
    // No decision while the reload rolls: the busy run starts again once it serves.
    sample(h.advance(1_000), 1);
    sample(h.advance(1_000), 1);
    expect(h.ctx().target).toBe(2);
    // A new range that no longer holds the count moves it in.
    h.readyAll().exit(1, 0).exit(2, 0);
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, ...ADAPTIVE, scaling: { ...SCALING, min: 3, max: 4 } } });
    expect(h.ctx().target).toBe(3);
    // Back to a fixed count: its --workers.
    h.readyAll();
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 1 } });
    expect(h.ctx().target).toBe(1);
  });

  it('a fixed count ignores the samples but keeps their figures for the observers', () => {
    const h = start({ workers: 1 });
    for (let i = 0; i < 5; i++) sample(h.advance(1_000), 1, 7);
    expect(h.ctx().target).toBe(1);
    expect(h.ctx().scaler).toMatchObject({ queued: 7, meanElu: 1 });
    expect(h.ctx().scaler.queues).toEqual([
      { socket: 'http://127.0.0.1:8000', waiting: 7 },
      { socket: 'unix:/s', waiting: null },
    ]);
  });
});

describe('adaptive count: what the observers get', () => {
  it('each decision is a scaled fact and one record, with the figures it was taken on', () => {
    const h = start();
    const facts: unknown[] = [];
    h.actor.on('scaled', (f) => facts.push(f));
    sample(h, 0.8123);
    sample(h.advance(1_000), 0.8123);
    expect(facts).toEqual([{ type: 'scaled', direction: 'up', reason: 'utilisation', from: 1, to: 2, queued: 0, meanElu: 0.812 }]);
    expect(h.logs(/^scaling up/)[0].fields).toEqual({
      event: 'scale',
      direction: 'up',
      reason: 'utilisation',
      from: 1,
      to: 2,
      queued: 0,
      meanElu: 0.812,
      max: 3,
    });
    h.readyAll();
    sample(h.advance(10), 0.05);
    sample(h.advance(SCALING.cooldownMs), 0.05);
    expect(facts[1]).toEqual({ type: 'scaled', direction: 'down', reason: 'quiet', from: 2, to: 1, queued: 0, meanElu: 0.05 });
    expect(h.logs(/^scaling down/)[0].fields).toMatchObject({
      event: 'scale',
      direction: 'down',
      reason: 'quiet',
      from: 2,
      to: 1,
      queued: 0,
      meanElu: 0.05,
      quietMs: SCALING.cooldownMs + 10,
    });
    expect(h.logs(/^scaling down/)[0].level).toBe('info');
  });

  it('the ceiling record: a warning with the count, the ceiling and the figures', () => {
    const h = start({ ...ADAPTIVE, scaling: { ...SCALING, max: 1 } });
    sample(h, 1, 2);
    sample(h.advance(1_000), 1, 2);
    const [at] = h.logs(/ceiling/);
    expect([at.level, at.fields]).toEqual(['warn', { event: 'scale', direction: 'none', reason: 'max', workers: 1, max: 1, queued: 2, meanElu: 1 }]);
  });

  it('scalingFigures: MIN, the ceiling and why, the target and the latest sample; null for a fixed count', () => {
    const h = start();
    sample(h, 0.4567, 2);
    expect(scalingFigures(h.ctx())).toEqual({
      min: 1,
      max: 3,
      maxReason: 'max',
      target: 1,
      queued: 2,
      meanElu: 0.457,
      queues: [
        { socket: 'http://127.0.0.1:8000', waiting: 2 },
        { socket: 'unix:/s', waiting: null },
      ],
    });
    expect(scalingFigures(start({ workers: 1 }).ctx())).toBeNull();
    expect(scalingFigures(start({ ...ADAPTIVE, scaling: { ...SCALING, max: null } }).ctx())).toMatchObject({ max: 4, maxReason: 'cpu', meanElu: null });
  });

  it('the bounds of a fixed count: one, and --max-workers (1024 without it)', () => {
    expect([floorOf(start({ workers: 2 }).ctx()), ceilingOf(start({ workers: 2 }).ctx())]).toEqual([1, { max: 1024, reason: 'max' }]);
    expect(ceilingOf(start({ workers: 2, maxWorkers: 5 }).ctx())).toEqual({ max: 5, reason: 'max' });
    expect(floorOf(start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 2 } }).ctx())).toBe(2);
  });

  it('busy samples while booting count for nothing: the window starts once it serves', () => {
    const h = drive(ADAPTIVE);
    sample(h, 1, 5);
    sample(h.advance(5_000), 1, 5);
    expect(h.ctx().scaler.busySince).toBeNull();
    h.readyAll();
    sample(h.advance(10), 1, 5);
    expect([h.ctx().target, h.ctx().scaler.busySince]).toEqual([1, h.now]);
    sample(h.advance(SCALING.upAfterMs), 1, 5);
    expect(h.ctx().target).toBe(2);
  });

  it('the memory figures come from the latest sample: the largest worker and the master', () => {
    const h = start();
    sample(h, 0.5, 0, 70 * MiB);
    expect(h.ctx().scaler).toMatchObject({ largestRss: 70 * MiB, masterRss: 60 * MiB, queued: 0, meanElu: 0.5 });
  });
});

describe('adaptive count: the edges', () => {
  it('initial figures; no limits known: MIN as the planned ceiling, no memory bound', () => {
    expect(initialScaler(7)).toEqual({
      busySince: null,
      loadedAt: 7,
      changedAt: 7,
      ceilingLogged: false,
      queued: 0,
      meanElu: null,
      queues: [],
      largestRss: 0,
      masterRss: 0,
    });
    expect(plannedMax({ ...SCALING, max: null, min: 2 }, undefined)).toBe(2);
    expect(memoryCeiling(undefined, 100 * MiB, 0)).toBeNull();
  });

  it('only ready workers of the current generation, not being recycled, count; a threshold is reached at equality', () => {
    const h = start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 2 } });
    const gen = h.ctx().generation;
    const [a, b] = h.workers();
    const at = (phase: string, generation: number, recycle: string | null) => [{ ...a, phase, generation, recycle }, b] as never;
    const report = { queues: [], workers: { [a.id]: { elu: 1, rssBytes: 1 }, [b.id]: { elu: 0.8, rssBytes: 1 } }, masterRssBytes: 0 };
    expect(readSample(SCALING, report, at('ready', gen, null), gen).meanElu).toBe(0.9);
    for (const w of [at('booting', gen, null), at('draining', gen, null), at('ready', gen - 1, null), at('ready', gen, 'max-requests')]) {
      expect(readSample(SCALING, report, w, gen)).toMatchObject({ meanElu: 0.8, busy: true });
    }
    const low = { queues: [], workers: { [b.id]: { elu: 0.2, rssBytes: 1 } }, masterRssBytes: 0 };
    expect(readSample(SCALING, low, [b], gen)).toMatchObject({ quiet: true, busy: false });
    // A queue is never quiet, whatever the utilisation; no report is never quiet.
    expect(readSample(SCALING, { ...low, queues: [{ socket: 's', waiting: 1 }] }, [b], gen)).toMatchObject({ quiet: false, busy: true });
    expect(readSample(SCALING, { queues: [], workers: {}, masterRssBytes: 0 }, [b], gen)).toMatchObject({ quiet: false, busy: false });
    expect(readSample(undefined, { ...low, queues: [{ socket: 's', waiting: 4 }] }, [b], gen)).toMatchObject({ queued: 4, busy: false, quiet: false });
  });

  it('a queue alone scales up, its record with no utilisation when no worker reported one', () => {
    const h = start();
    const queued = () => h.send({ type: 'LOAD_SAMPLE', queues: [{ socket: 'x', waiting: 3 }], workers: {}, masterRssBytes: 0 });
    queued();
    h.advance(1_000);
    queued();
    const [up] = h.logs(/^scaling up/);
    expect([up.level, up.fields.reason, up.fields.meanElu, up.fields.queued]).toEqual(['info', 'accept-queue', null, 3]);
  });

  it('the quiet window counts from the last sample that saw load, the cooldown from the last change: both must pass', () => {
    const h = start({ ...ADAPTIVE, workers: 2, scaling: { ...SCALING, min: 1 } });
    sample(h.advance(40_000), 0.5);
    sample(h.advance(SCALING.downAfterMs - 1), 0);
    expect(h.ctx().target).toBe(2);
    sample(h.advance(1), 0);
    expect(h.ctx().target).toBe(1);
    expect(h.logs(/^scaling down/)[0].fields.quietMs).toBe(SCALING.downAfterMs);
    // Quiet all along, but the count changed (TTIN): the cooldown holds it.
    const g = start({ ...ADAPTIVE, workers: 1, scaling: { ...SCALING, min: 1 } });
    g.advance(20_000).send({ type: 'TTIN' });
    sample(g.advance(SCALING.cooldownMs - 1), 0);
    expect(g.ctx().target).toBe(2);
    sample(g.advance(1), 0);
    expect(g.ctx().target).toBe(1);
  });

  it('quiet at MIN: nothing to retire, no record', () => {
    const h = start();
    for (let i = 1; i <= 3; i++) sample(h.advance(SCALING.cooldownMs), 0);
    expect(h.logs(/^scaling/)).toEqual([]);
  });

  it('while booting the figures are kept all the same', () => {
    const h = drive(ADAPTIVE);
    sample(h, 1, 5);
    expect(h.ctx().scaler).toMatchObject({ queued: 5, busySince: null, masterRss: 60 * MiB });
  });
});
