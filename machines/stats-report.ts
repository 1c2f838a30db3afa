/**
 * When a worker's stats message is worth sending: it measures every beat, and sends only when a
 * figure a view shows has moved. An idle worker's load wobbles in the last digits every beat (a
 * thousandth of utilisation, a few KiB of heap); each report costs the master a parse and a
 * check, which at 32 idle workers was 0.3% of a core for figures nobody could tell apart.
 */
import type { WorkerMessage } from './protocol.js';

const MiB = 2 ** 20;

/**
 * The figures as the views round them (utilisation to the percent, delay to the ms, memory to the
 * MiB; durations move with the requests): a report is due when this changes.
 */
export function reportKey(m: WorkerMessage): string {
  if (m.kind !== 'stats') return m.kind;
  const c = m.connections;
  const l = m.load;
  return JSON.stringify([
    m.requests, m.logFailures, c && [c.open, c.upgraded, c.streaming],
    l && [Math.round(l.elu * 100), Math.round(l.delayP50Ms), Math.round(l.delayP99Ms), Math.round(l.rssBytes / MiB), Math.round(l.heapUsedBytes / MiB)],
  ]);
}
