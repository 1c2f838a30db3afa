/**
 * The worker's side of recycling: it notices a limit (requests served, resident memory) and
 * tells the master once. What happens then is the master machine's decision: a replacement
 * boots, and this worker is retired gracefully once the replacement is ready.
 */
import type { RecycleReason } from '../../machines/protocol.js';
import type { RecycleLimits } from '../../machines/worker-settings.js';

export interface Recycling {
  /** This worker's request limit (--max-requests plus its own jitter); 0 when off. */
  readonly requestLimit: number;
  /** Called with the number of requests received so far. */
  served(count: number): void;
  /** Called on each heartbeat with the resident set size in bytes. */
  beat(rssBytes: number): void;
}

export function recycling(limits: RecycleLimits, ask: (reason: RecycleReason, detail: Record<string, number>) => void): Recycling {
  // The jitter only spreads the workers' restarts apart: Math.random is enough (no secret here).
  const requestLimit = limits.maxRequests > 0 ? limits.maxRequests + Math.floor(Math.random() * (limits.maxRequestsJitter + 1)) : 0;
  const memoryLimit = limits.maxMemoryMb * 2 ** 20;
  let asked = false;
  const once = (reason: RecycleReason, detail: Record<string, number>) => {
    if (asked) return;
    asked = true;
    ask(reason, detail);
  };
  return {
    requestLimit,
    served: (count) => {
      if (requestLimit > 0 && count >= requestLimit) once('max-requests', { requests: count, limit: requestLimit });
    },
    beat: (rssBytes) => {
      if (memoryLimit > 0 && rssBytes > memoryLimit) once('max-memory', { rssMb: Math.round(rssBytes / 2 ** 20), limitMb: limits.maxMemoryMb });
    },
  };
}
