/**
 * "Busy", not "hung": a worker whose loop is saturated but whose heartbeat still moves gets a
 * warning with its figures (machines/protocol.ts's isBusy), at most once per worker per
 * BUSY_LOG_EVERY_MS, so a long peak is one line a minute and not one a second.
 */
import type { Logger } from '../../log.js';
import { isBusy, type WorkerLoad } from '../../../machines/protocol.js';

export const BUSY_LOG_EVERY_MS = 60_000;

export function busyLog(log: Logger, now: () => number = () => performance.now()): (id: number, pid: number | undefined, load: WorkerLoad) => void {
  const lastWarned = new Map<number, number>();
  return (id, pid, load) => {
    if (!isBusy(load)) return;
    const at = now();
    const last = lastWarned.get(id);
    if (last !== undefined && at - last < BUSY_LOG_EVERY_MS) return;
    lastWarned.set(id, at);
    log.warn(
      { id, workerPid: pid, elu: load.elu, delayP99Ms: load.delayP99Ms, rssBytes: load.rssBytes, heapUsedBytes: load.heapUsedBytes },
      `worker ${id} is busy: its event loop was busy ${Math.round(load.elu * 100)}% of the last interval, p99 delay ${load.delayP99Ms} ms (still beating: not hung)`,
    );
  };
}
