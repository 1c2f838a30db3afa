/**
 * When a worker's stats are worth a message (machines/stats-report.ts): a figure a view shows
 * moved, at the rounding the views use; an idle worker's wobble in the last digits is not one.
 */
import { describe, expect, it } from 'vitest';
import { workerMessage, type WorkerLoad } from '../../machines/protocol.js';
import { reportKey } from '../../machines/stats-report.js';

const MiB = 2 ** 20;
const load = (l: Partial<WorkerLoad> = {}): WorkerLoad => ({ elu: 0.01, delayP50Ms: 1, delayP99Ms: 2, rssBytes: 60 * MiB, heapUsedBytes: 7 * MiB, ...l });
const conns = { open: 1, upgraded: 0, streaming: 0 };
const key = (o: { requests?: number; logFailures?: number; connections?: typeof conns; load?: WorkerLoad } = {}) =>
  reportKey(workerMessage.stats(o.requests ?? 5, { counts: [], sum: 0.1 }, o.logFailures ?? 0, 'connections' in o ? o.connections : conns, 'load' in o ? o.load : load()));

describe('reportKey', () => {
  it('is the same for figures the views cannot tell apart', () => {
    expect(key({ load: load({ elu: 0.012, delayP50Ms: 1.2, delayP99Ms: 2.4, rssBytes: 60 * MiB + 300_000, heapUsedBytes: 7 * MiB - 200_000 }) })).toBe(key());
  });

  it('changes with each figure a view shows', () => {
    const base = key();
    const moved = [
      key({ requests: 6 }), key({ logFailures: 1 }),
      key({ connections: { ...conns, open: 2 } }), key({ connections: { ...conns, upgraded: 1 } }), key({ connections: { ...conns, streaming: 1 } }),
      key({ load: load({ elu: 0.02 }) }), key({ load: load({ delayP50Ms: 2 }) }), key({ load: load({ delayP99Ms: 3 }) }),
      key({ load: load({ rssBytes: 61 * MiB }) }), key({ load: load({ heapUsedBytes: 8 * MiB }) }),
      key({ connections: undefined }), key({ load: undefined }),
    ];
    for (const k of moved) expect(k).not.toBe(base);
    expect(new Set(moved).size).toBe(moved.length);
  });

  it('a message of another kind is its kind (never taken for stats)', () => {
    expect(reportKey(workerMessage.recycle('max-requests'))).toBe('recycle');
  });
});
