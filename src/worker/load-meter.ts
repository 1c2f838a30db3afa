/**
 * A worker's load over each heartbeat interval (machines/protocol.ts's WorkerLoad): event-loop
 * utilisation from performance.eventLoopUtilization (a difference of two readings: free), the
 * loop's delay from monitorEventLoopDelay (a libuv timer, every DELAY_RESOLUTION_MS, reset at each
 * sample), memory from process.memoryUsage. Nothing runs per request.
 */
import { perfHooks } from '../node-builtins.js';
import type { WorkerLoad } from '../../machines/protocol.js';

/** Coarse enough to cost nothing measurable; a delay shorter than this is noise anyway. */
const DELAY_RESOLUTION_MS = 20;

/** The histogram holds the time between two of its timer's runs: the delay is what exceeds the period. */
const ms = (ns: number) => (Number.isFinite(ns) && ns > 0 ? Math.max(0, Math.round(ns / 1e4) / 100 - DELAY_RESOLUTION_MS) : 0);

export function loadMeter(): { sample(): WorkerLoad; stop(): void } {
  const { monitorEventLoopDelay, performance } = perfHooks();
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  let last = performance.eventLoopUtilization();
  return {
    sample() {
      const now = performance.eventLoopUtilization();
      const elu = Math.min(1, Math.max(0, performance.eventLoopUtilization(now, last).utilization));
      last = now;
      const delayP50Ms = ms(delay.percentile(50));
      const delayP99Ms = Math.max(delayP50Ms, ms(delay.percentile(99)));
      delay.reset();
      const { rss, heapUsed } = process.memoryUsage();
      return { elu: Math.round(elu * 1000) / 1000, delayP50Ms, delayP99Ms, rssBytes: rss, heapUsedBytes: heapUsed };
    },
    stop: () => delay.disable(),
  };
}
