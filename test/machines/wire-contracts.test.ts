/**
 * The wire contracts that are pure data (machines/protocol.ts, machines/worker-settings.ts): the
 * daemon's message to the command that started it, the stats and drain messages' checks, the
 * spawn contract's defaults and the heartbeat period. Tested here, with the machines, so that
 * the mutation run (which runs only test/machines) sees them.
 */
import { describe, expect, it } from 'vitest';
import {
  BUSY,
  daemonMessage,
  NO_CONNECTIONS,
  DURATION_BUCKETS,
  isBusy,
  parseDaemonMessage,
  parseWorkerMessage,
  workerMessage,
} from '../../machines/protocol.js';
import { MAX_FRAMES, parseWatchdogMessage, WATCHDOG_MAX_LINE, watchdogMessage } from '../../machines/watchdog-protocol.js';
import { DEFAULT_ACCESS_FORMAT, DEFAULT_HTTP_LIMITS, heartbeatPeriod, stallBeforeStack } from '../../machines/worker-settings.js';

describe("the daemon's message", () => {
  it('ready and failed, versioned, each field checked', () => {
    expect(daemonMessage.ready(42)).toEqual({ statefork: 1, kind: 'daemon-ready', pid: 42 });
    expect(daemonMessage.failed(2, 'bad', 42)).toEqual({ statefork: 1, kind: 'daemon-failed', exitCode: 2, reason: 'bad', pid: 42 });
    expect(parseDaemonMessage(daemonMessage.ready(42))).toEqual({ statefork: 1, kind: 'daemon-ready', pid: 42 });
    expect(parseDaemonMessage(daemonMessage.failed(4, 'app threw', 7))).toEqual({
      statefork: 1,
      kind: 'daemon-failed',
      exitCode: 4,
      reason: 'app threw',
      pid: 7,
    });
    const failed = daemonMessage.failed(4, 'x', 7);
    for (const raw of [
      null,
      undefined,
      3,
      'daemon-ready',
      {},
      { kind: 'daemon-ready', pid: 1 },
      { statefork: 2, kind: 'daemon-ready', pid: 1 },
      { statefork: 1, kind: 'daemon-ready' },
      { statefork: 1, kind: 'daemon-ready', pid: -1 },
      { statefork: 1, kind: 'other', pid: 1 },
      { ...failed, exitCode: -1 },
      { ...failed, exitCode: '4' },
      { ...failed, reason: 3 },
      { ...failed, kind: 'daemon-ready-ish' },
    ]) {
      expect(parseDaemonMessage(raw)).toBeNull();
    }
  });
});

describe('the stats message', () => {
  const counts = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  it('durations and connections are checked whole', () => {
    const ok = workerMessage.stats(3, { counts, sum: 0.5 }, 0, { open: 2, upgraded: 1, streaming: 1 });
    expect(ok).toEqual({ statefork: 1, kind: 'stats', requests: 3, durations: { counts, sum: 0.5 }, connections: { open: 2, upgraded: 1, streaming: 1 } });
    expect(parseWorkerMessage(ok)).toEqual(ok);
    for (const durations of [
      null,
      3,
      { counts: counts.slice(1), sum: 0 },
      { counts, sum: -1 },
      { counts, sum: Infinity },
      { counts: [...counts.slice(1), -1], sum: 0 },
      { counts: [...counts.slice(1), 0.5], sum: 0 },
      { counts },
    ]) {
      expect(parseWorkerMessage({ ...ok, durations })).toBeNull();
    }
    for (const connections of [
      null,
      3,
      {},
      { open: 1, upgraded: 1, streaming: 1 },
      { open: -1, upgraded: 0, streaming: 0 },
      { open: 1, upgraded: 0.5, streaming: 0 },
      { open: 1, upgraded: 0 },
    ]) {
      expect(parseWorkerMessage({ ...ok, connections })).toBeNull();
    }
    expect(parseWorkerMessage(workerMessage.stats(1))).toEqual({ statefork: 1, kind: 'stats', requests: 1 });
    expect(NO_CONNECTIONS).toEqual({ open: 0, upgraded: 0, streaming: 0 });
    expect(Object.isFrozen(NO_CONNECTIONS)).toBe(true);
  });
});

describe('the load a worker reports', () => {
  const load = { elu: 0.25, delayP50Ms: 1.5, delayP99Ms: 12, rssBytes: 50_000_000, heapUsedBytes: 9_000_000 };
  it('is checked field by field', () => {
    const ok = workerMessage.stats(1, undefined, 0, undefined, load);
    expect(ok).toEqual({ statefork: 1, kind: 'stats', requests: 1, load });
    expect(parseWorkerMessage(ok)).toEqual(ok);
    for (const bad of [
      null,
      3,
      {},
      { ...load, elu: 1.5 },
      { ...load, elu: -0.1 },
      { ...load, elu: NaN },
      { ...load, delayP50Ms: 20 },
      { ...load, delayP99Ms: Infinity },
      { ...load, rssBytes: 1.5 },
      { ...load, heapUsedBytes: -1 },
      { ...load, rssBytes: '1' },
    ]) {
      expect(parseWorkerMessage({ ...ok, load: bad })).toBeNull();
    }
    expect(parseWorkerMessage({ ...ok, load: { ...load, elu: 1, delayP50Ms: 0, delayP99Ms: 0 } })).not.toBeNull();
  });

  it('busy: a loop busy nine tenths of the time, or half a second of delay; not below', () => {
    expect([
      isBusy(load),
      isBusy({ ...load, elu: 0.9 }),
      isBusy({ ...load, elu: 0.89 }),
      isBusy({ ...load, delayP99Ms: 500 }),
      isBusy({ ...load, delayP99Ms: 499 }),
    ]).toEqual([false, true, false, true, false]);
    expect(BUSY).toEqual({ elu: 0.9, delayP99Ms: 500 });
  });
});

describe("the watchdog's stack message", () => {
  const frame = { fn: 'spinForever', url: 'file:///srv/app.mjs', line: 11, column: 3 };
  it('carries at most MAX_FRAMES frames, each checked; a note only as a string', () => {
    const ok = watchdogMessage.stack(1003, 21, [frame]);
    expect(ok).toEqual({ statefork: 1, kind: 'stack', stalledMs: 1003, captureMs: 21, frames: [frame] });
    expect(parseWatchdogMessage(ok)).toEqual(ok);
    expect(parseWatchdogMessage({ ...ok, frames: [{ ...frame, extra: 'dropped' }] })).toEqual(ok);
    const blocked = watchdogMessage.stack(1000, 500, [], 'blocked');
    expect(parseWatchdogMessage(blocked)).toEqual({ statefork: 1, kind: 'stack', stalledMs: 1000, captureMs: 500, frames: [], note: 'blocked' });
    expect(
      watchdogMessage.stack(
        1,
        1,
        Array.from({ length: MAX_FRAMES + 5 }, () => frame),
      ).frames,
    ).toHaveLength(MAX_FRAMES);
    expect(watchdogMessage.stack(1, 1, [], 'x'.repeat(5000)).note).toHaveLength(2000);
    for (const bad of [
      null,
      3,
      {},
      { ...ok, statefork: 2 },
      { ...ok, kind: 'stats' },
      { ...ok, stalledMs: -1 },
      { ...ok, captureMs: 1.5 },
      { ...ok, frames: 'x' },
      { ...ok, frames: Array.from({ length: MAX_FRAMES + 1 }, () => frame) },
      { ...ok, frames: [{ ...frame, line: -1 }] },
      { ...ok, frames: [{ ...frame, fn: 3 }] },
      { ...ok, frames: [{ ...frame, url: 'u'.repeat(2001) }] },
      { ...ok, frames: [{ ...frame, column: '3' }] },
      { ...ok, frames: [null] },
      { ...ok, note: 5 },
    ]) {
      expect(parseWatchdogMessage(bad)).toBeNull();
    }
    // At the bounds, and values that only look like strings.
    expect(parseWatchdogMessage({ ...ok, frames: Array.from({ length: MAX_FRAMES }, () => frame) })?.frames).toHaveLength(MAX_FRAMES);
    expect(parseWatchdogMessage({ ...ok, frames: [{ ...frame, fn: 'f'.repeat(2000), url: 'u'.repeat(2000) }] })).not.toBeNull();
    expect(parseWatchdogMessage({ ...ok, frames: [{ ...frame, fn: 'f'.repeat(2001) }] })).toBeNull();
    expect(parseWatchdogMessage({ ...ok, frames: [{ ...frame, fn: ['spin'] }] })).toBeNull();
    expect(parseWatchdogMessage({ ...ok, frames: [{ ...frame, url: ['file:///x'] }] })).toBeNull();
    expect(parseWatchdogMessage('{"statefork":1}')).toBeNull();
    expect(WATCHDOG_MAX_LINE).toBe(65_536);
  });
});

describe("the spawn contract's defaults", () => {
  it("Node's own HTTP limits and the access log format of gunicorn's atoms", () => {
    expect(DEFAULT_HTTP_LIMITS).toEqual({ maxHeaderSize: 16384, headersTimeoutMs: 60_000, requestTimeoutMs: 300_000 });
    expect(DEFAULT_ACCESS_FORMAT).toBe('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"');
  });

  it('beats four times per timeout, at least once a second, at most every 50 ms; once a second without a timeout', () => {
    expect([
      heartbeatPeriod(30),
      heartbeatPeriod(4),
      heartbeatPeriod(1),
      heartbeatPeriod(0.1),
      heartbeatPeriod(0.2),
      heartbeatPeriod(0),
      heartbeatPeriod(-1),
    ]).toEqual([1000, 1000, 250, 50, 50, 1000, 1000]);
    expect(heartbeatPeriod(3)).toBe(750);
  });

  it('the watchdog takes the stack halfway to --timeout, never sooner than two heartbeats', () => {
    expect([stallBeforeStack(30), stallBeforeStack(2), stallBeforeStack(1), stallBeforeStack(0.3)]).toEqual([15_000, 1000, 500, 150]);
    expect(stallBeforeStack(0.1)).toBe(100);
  });
});
