import { describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import { EXIT_LABEL } from '../../../src/metrics/master-metrics.js';
import { RequestStats } from '../../../src/metrics/request-stats.js';
import { DurationHistogram } from '../../../src/metrics/duration-histogram.js';
import { exitReason as machineExitReason, newHandle, type WorkerHandle } from '../../../machines/worker-handle.js';
import { initialContext, type MasterContext } from '../../../machines/master.context.js';
import { masterMachine } from '../../../machines/master.machine.js';
import { masterStep, masterView } from '../../../machines/master.facts.js';
import { EXIT } from '../../../machines/exit-codes.js';

const ctx = (generation = 2) => ({ generation } as MasterContext);
/** The counter's word for an exit: the machine's one reason, as the metrics name it. */
const exitReason = (w: WorkerHandle, c: MasterContext) => EXIT_LABEL[machineExitReason(w, null, EXIT.APP_LOAD_ERROR, c.generation)];
type Snap = { value: unknown; context: { generation: number } };
const viewOf = (s: Snap) => masterView(masterMachine.resolveState({
  value: s.value as StateValue, context: { ...initialContext({ settings: { workers: 1, timeoutMs: 0, gracefulTimeoutMs: 0, bootTimeoutMs: 0 }, now: 0 }), generation: s.context.generation },
}));
/** How the step between two snapshots ended a reload, as the machine states it. */
const reloadOutcome = (prev: Snap, next: Snap, cause: string) => masterStep(viewOf(prev), viewOf(next), cause).reloadEnded;
const worker = (over: object) => ({ ...newHandle(1, 2, 0), readyAt: 5, ...over });
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
    expect(stats.byWorker()).toEqual(new Map([[2, 2], [3, 1]]));
    stats.retire(9);
    expect(stats.totals().requests).toBe(8);
  });

  it('a histogram from counted buckets: cumulative, with +Inf, sum and count', () => {
    const h = new DurationHistogram('d', 'help', () => ({ counts: counts(1, 0, 2, ...new Array(8).fill(0), 3), sum: 1.5 }));
    const { values } = h.get();
    expect(values.slice(0, 3).map((v) => [v.labels, v.value])).toEqual([[{ le: 0.005 }, 1], [{ le: 0.01 }, 1], [{ le: 0.025 }, 3]]);
    expect(values.slice(11)).toEqual([
      { value: 6, labels: { le: '+Inf' }, metricName: 'd_bucket' }, { value: 1.5, labels: {}, metricName: 'd_sum' }, { value: 6, labels: {}, metricName: 'd_count' },
    ]);
  });
});
