/**
 * When a worker's stats are worth a message (machines/stats-report.ts): a figure a view shows
 * moved, at the rounding the views use; an idle worker's wobble in the last digits is not one.
 */
import { describe, expect, it } from 'vitest';
import { workerMessage, type WorkerLoad } from '../../machines/protocol.js';
import { LOAD_ONLY_EVERY_BEATS, nextReport, NO_REPORT, reportKey, type ReportState } from '../../machines/stats-report.js';

const MiB = 2 ** 20;
const load = (l: Partial<WorkerLoad> = {}): WorkerLoad => ({ elu: 0.01, delayP50Ms: 1, delayP99Ms: 2, rssBytes: 60 * MiB, heapUsedBytes: 7 * MiB, ...l });
const conns = { open: 1, upgraded: 0, streaming: 0 };
const key = (o: { requests?: number; logFailures?: number; connections?: typeof conns; load?: WorkerLoad } = {}) =>
  reportKey(
    workerMessage.stats(
      o.requests ?? 5,
      { counts: [], sum: 0.1 },
      o.logFailures ?? 0,
      'connections' in o ? o.connections : conns,
      'load' in o ? o.load : load(),
    ),
  );

describe('reportKey', () => {
  it('is the same for figures the views cannot tell apart', () => {
    expect(key({ load: load({ elu: 0.012, delayP50Ms: 1.2, delayP99Ms: 2.4, rssBytes: 60 * MiB + 300_000, heapUsedBytes: 7 * MiB - 200_000 }) })).toBe(key());
  });

  it('changes with each figure a view shows', () => {
    const base = key();
    const moved = [
      key({ requests: 6 }),
      key({ logFailures: 1 }),
      key({ connections: { ...conns, open: 2 } }),
      key({ connections: { ...conns, upgraded: 1 } }),
      key({ connections: { ...conns, streaming: 1 } }),
      key({ load: load({ elu: 0.02 }) }),
      key({ load: load({ delayP50Ms: 2 }) }),
      key({ load: load({ delayP99Ms: 3 }) }),
      key({ load: load({ rssBytes: 61 * MiB }) }),
      key({ load: load({ heapUsedBytes: 8 * MiB }) }),
      key({ connections: undefined }),
      key({ load: undefined }),
    ];
    for (const k of moved) expect(k).not.toBe(base);
    expect(new Set(moved).size).toBe(moved.length);
  });

  it('a message of another kind is its kind (never taken for stats)', () => {
    expect(reportKey(workerMessage.recycle('max-requests'))).toBe('recycle');
  });
});

describe('nextReport', () => {
  const stats = (requests: number, l: Partial<WorkerLoad> = {}) => workerMessage.stats(requests, { counts: [], sum: 0.1 }, 0, conns, load(l));
  const run = (messages: ReturnType<typeof stats>[], state: ReportState = NO_REPORT) =>
    messages.map((m) => {
      const r = nextReport(state, m);
      state = r.state;
      return r.send;
    });

  it('sends the first report, then nothing while no figure moves', () => {
    expect(run([stats(1), stats(1), stats(1), stats(1)])).toEqual([true, false, false, false]);
  });

  it('sends a count that moved at once, every beat', () => {
    expect(run([stats(1), stats(2), stats(3), stats(4)])).toEqual([true, true, true, true]);
  });

  it('sends a load that moved alone once in LOAD_ONLY_EVERY_BEATS beats, with the load of that beat', () => {
    const wobble = Array.from({ length: 2 * LOAD_ONLY_EVERY_BEATS + 1 }, (_, i) => stats(1, { delayP99Ms: 2 + (i % 2) * 3 }));
    const sent = run(wobble);
    expect(sent[0]).toBe(true);
    expect(sent.filter(Boolean)).toHaveLength(3);
    expect(sent.indexOf(true, 1)).toBe(LOAD_ONLY_EVERY_BEATS);
  });

  it('a count that moves after a held load is sent at once and carries the load', () => {
    let state = nextReport(NO_REPORT, stats(1)).state;
    state = nextReport(state, stats(1, { elu: 0.5 })).state;
    const r = nextReport(state, stats(2, { elu: 0.5 }));
    expect(r.send).toBe(true);
    expect(r.state.key).toBe(reportKey(stats(2, { elu: 0.5 })));
    expect(r.state.beats).toBe(0);
  });

  it('the final report carries a held load, and nothing when nothing moved', () => {
    const state = nextReport(NO_REPORT, stats(1)).state;
    expect(nextReport(state, stats(1, { elu: 0.5 }), true).send).toBe(true);
    expect(nextReport(state, stats(1), true).send).toBe(false);
    expect(nextReport(state, stats(1, { elu: 0.5 })).send).toBe(false);
  });

  it('counts the beats since the last report, sent or not', () => {
    let state = nextReport(NO_REPORT, stats(1)).state;
    for (let i = 1; i <= 3; i++) {
      state = nextReport(state, stats(1)).state;
      expect(state.beats).toBe(i);
    }
  });
});
