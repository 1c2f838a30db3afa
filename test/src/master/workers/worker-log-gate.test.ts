/**
 * A worker's share of the error log, on real streams with a fake clock: the rate's records and
 * bytes pass, the rest of that second is dropped and counted, the streams wait for the next
 * second, and one report says what was dropped.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogGate, WINDOW_MS } from '../../../../src/master/workers/worker-log-gate.js';
import { relayLines } from '../../../../src/master/workers/worker-log-relay.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LogGate', () => {
  it("lets a second's records through, drops the rest, pauses the streams, reports once, then opens again", () => {
    const totals = { records: 0, bytes: 0 };
    const reports: Array<[number, number]> = [];
    const gate = new LogGate({ records: 3, bytes: 1000 }, totals, (r, b) => reports.push([r, b]));
    const stream = new PassThrough();
    const lines: string[] = [];
    relayLines(
      stream,
      gate,
      (l) => lines.push(l),
      () => lines.push('overlong'),
    );
    stream.write('a\nb\nc\nd\ne\n');
    expect(lines).toEqual(['a', 'b', 'c']);
    expect(stream.isPaused()).toBe(true);
    expect(totals).toEqual({ records: 2, bytes: 4 });
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(reports).toEqual([[2, 4]]);
    expect(stream.isPaused()).toBe(false);
    stream.write('f\n');
    expect(lines).toEqual(['a', 'b', 'c', 'f']);
    vi.advanceTimersByTime(WINDOW_MS);
    expect(reports).toEqual([[2, 4]]); // a quiet second says nothing
  });

  it("counts bytes too: a second's bytes spent, the next line waits; once dropping, nothing more passes that second", () => {
    const totals = { records: 0, bytes: 0 };
    const gate = new LogGate({ records: 100, bytes: 10 }, totals, () => {});
    expect([gate.admit(6), gate.admit(4), gate.admit(1), gate.admit(0)]).toEqual([true, true, false, false]);
    expect(totals).toEqual({ records: 2, bytes: 1 });
  });

  it("without a rate, everything passes and no timer runs; end() says the last second's drops", () => {
    const open = new LogGate(null, { records: 0, bytes: 0 }, () => {});
    for (let i = 0; i < 10_000; i++) expect(open.admit(1 << 20)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    const reports: number[] = [];
    const gate = new LogGate({ records: 1, bytes: 100 }, { records: 0, bytes: 0 }, (r) => reports.push(r));
    gate.admit(1);
    gate.admit(1);
    gate.end();
    expect(reports).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
