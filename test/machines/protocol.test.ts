/**
 * The wire protocol's table (machines/protocol.ts), in detail: every field a worker's message
 * may carry is checked, every line it sends is parsed or named for what is wrong with it.
 */
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_MAX_LINE,
  CHANNEL_MAX_RATE,
  DURATION_BUCKETS,
  encodeMessage,
  masterMessage,
  MAX_REASON,
  noProxyRejections,
  parseWorkerLine,
  parseWorkerMessage,
  PROXY_REJECTIONS,
  tooLong,
  workerMessage,
} from '../../machines/protocol.js';
import { handleChanges, newHandle } from '../../machines/worker-handle.js';

const counts = (...n: number[]) => [...n, ...new Array<number>(DURATION_BUCKETS.length + 1 - n.length).fill(0)];
const stats = (extra: Record<string, unknown>) => ({ statefork: 1, kind: 'stats', requests: 3, ...extra });

describe('worker messages: stats', () => {
  it('durations: one count per bucket and one above, whole and not negative, and a finite sum', () => {
    const durations = { counts: counts(1, 2), sum: 0.5 };
    expect(parseWorkerMessage(stats({ durations }))).toEqual({ statefork: 1, kind: 'stats', requests: 3, durations });
    expect(parseWorkerMessage(stats({ durations: { counts: counts(), sum: 0 } }))).toMatchObject({ durations: { sum: 0 } });
    for (const bad of [
      null,
      'x',
      [],
      { sum: 1 },
      { counts: 'x', sum: 1 },
      { counts: counts().slice(1), sum: 1 },
      { counts: [...counts(), 0], sum: 1 },
      { counts: counts(-1), sum: 1 },
      { counts: counts(1.5), sum: 1 },
      { counts: counts(), sum: -1 },
      { counts: counts(), sum: 'x' },
      { counts: counts(), sum: Infinity },
      { counts: counts() },
    ])
      expect(parseWorkerMessage(stats({ durations: bad }))).toBeNull();
  });

  it('proxyRejected: a whole count for each reason and nothing else, left out while all are 0', () => {
    expect(PROXY_REJECTIONS).toEqual(['untrusted', 'missing', 'malformed', 'too-long', 'timeout', 'unexpected']);
    const some = { ...noProxyRejections(), timeout: 2, unexpected: 1 };
    expect(parseWorkerMessage(stats({ proxyRejected: some }))).toEqual({ statefork: 1, kind: 'stats', requests: 3, proxyRejected: some });
    expect(noProxyRejections()).toEqual({ untrusted: 0, missing: 0, malformed: 0, 'too-long': 0, timeout: 0, unexpected: 0 });
    expect(parseWorkerMessage(stats({ proxyRejected: noProxyRejections() }))).toEqual({ statefork: 1, kind: 'stats', requests: 3 });
    for (const reason of PROXY_REJECTIONS) {
      expect(workerMessage.stats(1, undefined, 0, undefined, undefined, { ...noProxyRejections(), [reason]: 1 })).toMatchObject({
        proxyRejected: { [reason]: 1 },
      });
      for (const bad of [-1, 0.5, '1', null]) expect(parseWorkerMessage(stats({ proxyRejected: { ...noProxyRejections(), [reason]: bad } }))).toBeNull();
      const { [reason]: _, ...without } = noProxyRejections();
      expect(parseWorkerMessage(stats({ proxyRejected: without }))).toBeNull();
    }
    for (const bad of [null, 'x', 3, { ...noProxyRejections(), other: 1 }]) expect(parseWorkerMessage(stats({ proxyRejected: bad }))).toBeNull();
    // The message carries its own copy: a worker's live counts moving later do not change a message sent.
    const live = { ...noProxyRejections(), missing: 1 };
    const sent = workerMessage.stats(1, undefined, 0, undefined, undefined, live);
    live.missing = 9;
    expect(sent).toMatchObject({ proxyRejected: { missing: 1 } });
  });

  it('logFailures: a count, kept when there are some, left out at zero', () => {
    expect(parseWorkerMessage(stats({ logFailures: 4 }))).toEqual({ statefork: 1, kind: 'stats', requests: 3, logFailures: 4 });
    expect(parseWorkerMessage(stats({ logFailures: 0 }))).toEqual({ statefork: 1, kind: 'stats', requests: 3 });
    for (const bad of [-1, 1.5, '2', null]) expect(parseWorkerMessage(stats({ logFailures: bad }))).toBeNull();
    expect(workerMessage.stats(2, undefined, 5)).toEqual({ statefork: 1, kind: 'stats', requests: 2, logFailures: 5 });
    expect(workerMessage.stats(2, { counts: counts(), sum: 0 })).toEqual({ statefork: 1, kind: 'stats', requests: 2, durations: { counts: counts(), sum: 0 } });
  });

  it('a failure reason is cut to MAX_REASON characters', () => {
    expect(MAX_REASON).toBe(2000);
    expect(workerMessage.failed('x'.repeat(5000))).toEqual({ statefork: 1, kind: 'failed', reason: 'x'.repeat(MAX_REASON) });
  });
});

describe('the channel: one message per line', () => {
  it('has the documented limits', () => {
    expect([CHANNEL_MAX_LINE, CHANNEL_MAX_RATE]).toEqual([16_384, 200]);
    expect(tooLong(20_000)).toBe('a line over 16384 bytes (20000 so far, no newline)');
  });

  it('a message of ours, or what is wrong with the line, showing at most 40 characters of it', () => {
    expect(parseWorkerLine(encodeMessage(workerMessage.ready()).trimEnd())).toEqual({ message: { statefork: 1, kind: 'ready' } });
    expect(encodeMessage(masterMessage.drain('reload', 30000, true))).toBe(
      '{"statefork":1,"kind":"drain","reason":"reload","graceMs":30000,"socketsHeld":true}\n',
    );
    expect(parseWorkerLine('nope')).toEqual({ violation: 'a line that is not JSON ("nope")' });
    expect(parseWorkerLine('y'.repeat(40))).toEqual({ violation: `a line that is not JSON ("${'y'.repeat(40)}")` });
    expect(parseWorkerLine('y'.repeat(41))).toEqual({ violation: `a line that is not JSON ("${'y'.repeat(40)}"...)` });
    expect(parseWorkerLine('{"app":1}')).toEqual({ violation: 'a message that is not statefork\'s ("{\\"app\\":1}")' });
    const long = `{"statefork":1,"kind":"x","pad":"${'z'.repeat(50)}"}`;
    expect(parseWorkerLine(long)).toEqual({ violation: `a message that is not statefork's (${JSON.stringify(long.slice(0, 40))}...)` });
    expect(parseWorkerLine(`{"a":"${'z'.repeat(32)}"}`)).toEqual({
      violation: `a message that is not statefork's (${JSON.stringify(`{"a":"${'z'.repeat(32)}"}`)})`,
    });
  });
});

describe('handleChanges, at the edges', () => {
  it('a worker that appears with its pid known is new and spawned; an exit is never a spawn', () => {
    const known = { ...newHandle(5, 5, 1, 0), pid: 105, phase: 'booting' as const };
    expect(handleChanges([], [known])).toEqual([{ w: known, from: 'none', to: 'booting', spawned: true }]);
    const plain = newHandle(6, 6, 1, 0);
    expect(handleChanges([], [plain])).toEqual([{ w: plain, from: 'none', to: 'spawning', spawned: false }]);
    expect(handleChanges([known], [])).toEqual([{ w: known, from: 'booting', to: 'exited', spawned: false }]);
  });
});
