/**
 * The inspector's figures over time (the page's sparklines) and the workers as the master sees
 * them now: rates from running totals, a bounded series, a worker forgotten once gone, and
 * heartbeat ages from the latest check even when that check changed nothing.
 */
import { describe, expect, it } from 'vitest';
import { FigureHistory, HISTORY_POINTS } from '../../../src/inspector/history.js';
import { InspectorHub, TIMELINE } from '../../../src/inspector/hub.js';
import type { MasterStep } from '../../../machines/master.facts.js';

const load = (elu: number) => ({ elu, delayP50Ms: 1, delayP99Ms: 4, rssBytes: 1, heapUsedBytes: 1 });

describe('figure history', () => {
  it('a rate per second between two points, the load and memory as reported; bounded; a gone worker forgotten', () => {
    const h = new FigureHistory();
    h.sample(1_000, new Map([[1, { requests: 10, load: load(0.5), rssBytes: 50, open: 3 }]]));
    h.sample(
      3_000,
      new Map([
        [1, { requests: 30, load: undefined, rssBytes: null }],
        [2, { requests: 0, load: load(0.1), rssBytes: 7 }],
      ]),
    );
    expect(h.all()).toEqual({
      1: [
        { at: 1_000, rps: null, elu: 0.5, delayP99Ms: 4, rssBytes: 50, open: 3 },
        { at: 3_000, rps: 10, elu: null, delayP99Ms: null, rssBytes: null, open: null },
      ],
      2: [{ at: 3_000, rps: null, elu: 0.1, delayP99Ms: 4, rssBytes: 7, open: null }],
    });
    // A total that went down is not a negative rate.
    h.sample(4_000, new Map([[1, { requests: 5, load: undefined, rssBytes: 1 }]]));
    expect(h.all()[1].at(-1)!.rps).toBeNull();
    expect(h.all()[2]).toBeUndefined();
    for (let i = 0; i < HISTORY_POINTS + 20; i++) h.sample(5_000 + i * 1000, new Map([[1, { requests: 5 + i * 3, load: undefined, rssBytes: 1 }]]));
    expect(h.all()[1]).toHaveLength(HISTORY_POINTS);
    expect(h.all()[1].at(-1)!.rps).toBe(3);
  });
});

describe('the hub', () => {
  const step = (cause: string, beatAt: number, state = 'serving.running', phase = 'ready') =>
    ({
      before: { state },
      after: { state, context: { workers: [{ id: 1, pid: 10, generation: 1, phase, spawnedAt: 0, readyAt: 100, beatAt }] } },
      cause,
      moved: false,
      workers: [],
    }) as unknown as MasterStep;

  it('a tick that changes nothing stays off the timeline but moves the heartbeat the page shows', () => {
    let now = 5_000;
    const hub = new InspectorHub(() => now);
    hub.step(step('WORKER_READY', 100));
    hub.step(step('TICK', 4_900));
    expect(hub.steps.map((s) => s.cause)).toEqual(['WORKER_READY']);
    expect(hub.live()).toEqual({
      state: 'serving.running',
      workers: [{ id: 1, pid: 10, generation: 1, phase: 'ready', spawnedAt: 0, readyAt: 100, beatAt: 4_900, ageMs: 5_000, beatAgeMs: 100 }],
    });
    now = 5_600;
    expect(hub.live().workers[0].beatAgeMs).toBe(700);
    // With the heartbeat stamps at hand, the fresher of the two.
    hub.beats = () => ({ 1: Date.now() - 200 });
    expect(hub.live().workers[0].beatAgeMs).toBeGreaterThanOrEqual(200);
    expect(hub.live().workers[0].beatAgeMs).toBeLessThan(700);
    hub.beats = () => ({ 1: Date.now() - 5_000 });
    expect(hub.live().workers[0].beatAgeMs).toBe(700);
    // A stamp in the future (a worker can set its file's time to anything) is not taken.
    hub.beats = () => ({ 1: Date.now() + 60_000 });
    expect(hub.live().workers[0].beatAgeMs).toBe(700);
  });

  it('keeps the last TIMELINE steps', () => {
    const hub = new InspectorHub(() => 0);
    for (let i = 0; i < TIMELINE + 5; i++) hub.step(step(`E${i}`, 0));
    expect(hub.steps).toHaveLength(TIMELINE);
    expect(hub.steps[0].cause).toBe('E5');
  });
});
