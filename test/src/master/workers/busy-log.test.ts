import { describe, expect, it } from 'vitest';
import { busyLog, BUSY_LOG_EVERY_MS } from '../../../../src/master/workers/busy-log.js';
import type { Logger } from '../../../../src/log.js';

describe('busy workers in the log', () => {
  it('one warning per worker per minute while busy, with its figures; nothing while not busy', () => {
    const lines: Array<[Record<string, unknown>, string]> = [];
    const log = { warn: (fields: Record<string, unknown>, msg: string) => lines.push([fields, msg]) } as unknown as Logger;
    let now = 0;
    const note = busyLog(log, () => now);
    const busy = { elu: 0.97, delayP50Ms: 40, delayP99Ms: 220, rssBytes: 60e6, heapUsedBytes: 10e6 };
    const calm = { ...busy, elu: 0.2, delayP99Ms: 3 };
    note(1, 101, calm);
    note(1, 101, busy);
    now = BUSY_LOG_EVERY_MS - 1;
    note(1, 101, busy);
    note(2, 102, busy);
    now = BUSY_LOG_EVERY_MS;
    note(1, 101, busy);
    expect(lines.map(([f]) => [f.id, f.workerPid])).toEqual([
      [1, 101],
      [2, 102],
      [1, 101],
    ]);
    expect(lines[0]).toEqual([
      { id: 1, workerPid: 101, elu: 0.97, delayP99Ms: 220, rssBytes: 60e6, heapUsedBytes: 10e6 },
      'worker 1 is busy: its event loop was busy 97% of the last interval, p99 delay 220 ms (still beating: not hung)',
    ]);
  });
});
