import { describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import { EXIT_LABEL, MasterMetrics } from '../../../src/metrics/master-metrics.js';
import { RequestStats } from '../../../src/metrics/request-stats.js';
import { DurationHistogram } from '../../../src/metrics/duration-histogram.js';
import { exitReason as machineExitReason, newHandle, type WorkerHandle } from '../../../machines/worker-handle.js';
import { initialContext, type MasterContext } from '../../../machines/master.context.js';
import { masterMachine } from '../../../machines/master.machine.js';
import { masterStep, masterView } from '../../../machines/master.facts.js';
import { EXIT } from '../../../machines/exit-codes.js';

const ctx = (generation = 2) => ({ generation }) as MasterContext;
/** The counter's word for an exit: the machine's one reason, as the metrics name it. */
const exitReason = (w: WorkerHandle, c: MasterContext) => EXIT_LABEL[machineExitReason(w, null, EXIT.APP_LOAD_ERROR, c.generation)];
type Snap = { value: unknown; context: { generation: number } };
const viewOf = (s: Snap) =>
  masterView(
    masterMachine.resolveState({
      value: s.value as StateValue,
      context: {
        ...initialContext({ settings: { workers: 1, timeoutMs: 0, gracefulTimeoutMs: 0, bootTimeoutMs: 0 }, now: 0 }),
        generation: s.context.generation,
      },
    }),
  );
/** How the step between two snapshots ended a reload, as the machine states it. */
const reloadOutcome = (prev: Snap, next: Snap, cause: string) => masterStep(viewOf(prev), viewOf(next), cause).reloadEnded;
const worker = (over: object) => ({ ...newHandle(1, 1, 2, 0), readyAt: 5, ...over });
const counts = (...n: number[]) => [...n, ...new Array(12 - n.length).fill(0)];

describe('metrics', () => {
  it('names why a worker is gone from why the master asked it to go', () => {
    expect(exitReason(worker({ cause: 'retire', generation: 1 }), ctx())).toBe('reload');
    expect(exitReason(worker({ cause: 'retire', generation: 2 }), ctx())).toBe('scale');
    expect(exitReason(worker({ cause: 'reload-abandoned' }), ctx())).toBe('reload');
    expect(exitReason(worker({ cause: 'recycle' }), ctx())).toBe('recycled');
    expect(exitReason(worker({ cause: 'timeout' }), ctx())).toBe('timeout');
    expect(exitReason(worker({ cause: 'boot-timeout' }), ctx())).toBe('boot_failure');
    expect(exitReason(worker({ cause: 'handover' }), ctx())).toBe('upgrade');
    expect(exitReason(worker({ cause: 'stop' }), ctx())).toBe('stop');
    expect(exitReason(worker({ cause: null }), ctx())).toBe('crash');
    expect(exitReason(worker({ cause: null, readyAt: null }), ctx())).toBe('boot_failure');
  });

  it('tells how a reload ended', () => {
    const s = (value: unknown, generation: number) => ({ value, context: { generation } });
    const rolling = s({ serving: { reloading: 'rolling' } }, 3);
    expect(reloadOutcome(rolling, s({ serving: 'running' }, 3), 'WORKER_READY')).toBe('completed');
    expect(reloadOutcome(rolling, s({ serving: 'running' }, 2), 'WORKER_EXIT')).toBe('abandoned');
    expect(reloadOutcome(s({ serving: { reloading: 'configuring' } }, 2), s({ serving: 'running' }, 2), 'CONFIG_FAILED')).toBe('config_failed');
    expect(reloadOutcome(rolling, s({ stopping: 'graceful' }, 3), 'TERM')).toBe('interrupted');
    expect(reloadOutcome(rolling, s({ serving: { reloading: 'rolling' } }, 3), 'TICK')).toBeNull();
    expect(reloadOutcome(s({ serving: 'running' }, 2), s({ serving: 'running' }, 2), 'TICK')).toBeNull();
  });

  it('keeps what a gone worker reported in the totals', () => {
    const stats = new RequestStats();
    stats.update(1, 5, { counts: counts(5), sum: 0.01 }, 3);
    stats.update(2, 2, { counts: counts(0, 2), sum: 0.02 }, 1);
    stats.retire(1);
    stats.update(3, 1);
    expect(stats.totals()).toEqual({ requests: 8, durations: { counts: counts(5, 2), sum: 0.03 }, logFailures: 4 });
    expect(stats.byWorker()).toEqual(
      new Map([
        [2, 2],
        [3, 1],
      ]),
    );
    stats.retire(9);
    expect(stats.totals().requests).toBe(8);
  });

  it('a histogram from counted buckets: cumulative, with +Inf, sum and count', () => {
    const h = new DurationHistogram('d', 'help', () => ({ counts: counts(1, 0, 2, ...new Array(8).fill(0), 3), sum: 1.5 }));
    const { values } = h.get();
    expect(values.slice(0, 3).map((v) => [v.labels, v.value])).toEqual([
      [{ le: 0.005 }, 1],
      [{ le: 0.01 }, 1],
      [{ le: 0.025 }, 3],
    ]);
    expect(values.slice(11)).toEqual([
      { value: 6, labels: { le: '+Inf' }, metricName: 'd_bucket' },
      { value: 1.5, labels: {}, metricName: 'd_sum' },
      { value: 6, labels: {}, metricName: 'd_count' },
    ]);
  });
});

describe('labels that scale', () => {
  const load = { elu: 0.5, delayP50Ms: 1, delayP99Ms: 2, rssBytes: 3e7, heapUsedBytes: 1e7 };
  /** A master whose live workers have these ids, each in its slot, each reporting its load and connections. */
  function metricsOf(workers: Array<[id: number, slot: number]>, name: string | null = null) {
    const stats = new RequestStats();
    for (const [id] of workers) stats.update(id, 1, undefined, 0, { open: 3, upgraded: 1, streaming: 1 }, load);
    // A worker gone from the master's view whose report is still held: no series for it.
    stats.update(99, 1, undefined, 0, { open: 1, upgraded: 0, streaming: 0 }, load);
    const context = {
      ...initialContext({ settings: { workers: workers.length, timeoutMs: 0, gracefulTimeoutMs: 0, bootTimeoutMs: 0 }, now: 0 }),
      workers: workers.map(([id, slot]) => ({ ...newHandle(id, slot, 1, 0), pid: 4000 + id, phase: 'ready' as const, readyAt: 0 })),
    };
    const view = masterView(masterMachine.resolveState({ value: { serving: 'running' }, context }));
    return new MasterMetrics({ view: () => view, stats, now: () => 1000, name });
  }
  const series = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

  it('per-worker series are labelled by slot, never by id or pid; a worker the master no longer has gets none', async () => {
    const text = await metricsOf([
      [41, 1],
      [57, 2],
    ]).metrics();
    const perWorker = series(text).filter((l) => /^statefork_worker_(?!exits|boot|hangs)/.test(l));
    expect(perWorker.length).toBe(18);
    for (const l of perWorker) expect(l).toMatch(/\{slot="[12]"/);
    expect(text).toContain('statefork_worker_connections{slot="2",kind="other"} 1');
    expect(text).toContain('statefork_worker_heartbeat_age_seconds{slot="1"} 1');
    const labels = series(text)
      .filter((l) => l.startsWith('statefork_'))
      .map((l) => l.slice(0, l.lastIndexOf(' ')));
    for (const l of labels) expect(l).not.toMatch(/worker="|pid="|41|57|4041|slot="99"/);
  });

  it('nine series per worker, whatever its id; --name labels every series', async () => {
    const two = series(
      await metricsOf([
        [1, 1],
        [2, 2],
      ]).metrics(),
    ).length;
    const three = series(
      await metricsOf([
        [1, 1],
        [2, 2],
        [300, 3],
      ]).metrics(),
    ).length;
    expect(three - two).toBe(9);
    const named = series(await metricsOf([[1, 1]], 'web-eu-1').metrics());
    for (const l of named) expect(l).toMatch(/\{(.*,)?name="web-eu-1"/);
    expect(named).toContain('statefork_workers_target{name="web-eu-1"} 1');
  });
});
