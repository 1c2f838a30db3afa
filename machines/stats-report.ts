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
    m.requests,
    m.logFailures,
    c && [c.open, c.upgraded, c.streaming],
    m.proxyRejected,
    l && [Math.round(l.elu * 100), Math.round(l.delayP50Ms), Math.round(l.delayP99Ms), Math.round(l.rssBytes / MiB), Math.round(l.heapUsedBytes / MiB)],
  ]);
}

/**
 * A change of load alone (utilisation, delay, memory: what wobbles on an idle worker) is sent at
 * most once in this many beats; a change of a count (requests, log failures, connections) at
 * once. Measured at 32 idle workers on Node 24: an idle worker's p99 delay crosses a millisecond
 * every other beat, and those reports were most of the master's idle CPU.
 */
export const LOAD_ONLY_EVERY_BEATS = 5;

/** What the worker sent last: its key, the key without the load, and the beats since. */
export interface ReportState {
  key: string;
  countsKey: string;
  beats: number;
}

export const NO_REPORT: ReportState = { key: '', countsKey: '', beats: 0 };

/** Whether this beat's message is sent (`final`: the worker's last, which carries any change), and what is remembered for the next beat. */
export function nextReport(last: ReportState, m: WorkerMessage, final = false): { send: boolean; state: ReportState } {
  const key = reportKey(m);
  const countsKey = m.kind === 'stats' ? reportKey({ ...m, load: undefined }) : key;
  const beats = last.beats + 1;
  if (key === last.key) return { send: false, state: { ...last, beats } };
  if (!final && countsKey === last.countsKey && beats < LOAD_ONLY_EVERY_BEATS) return { send: false, state: { ...last, beats } };
  return { send: true, state: { key, countsKey, beats: 0 } };
}
