/**
 * Worker recycling limits (--max-requests, --max-requests-jitter, --max-memory), validated like
 * every other option. 0 turns a limit off; that is the default for all three.
 */
import { usage } from './checks.js';

import type { RecycleLimits } from '../../machines/worker-settings.js';

export type { RecycleLimits };
export { checkWholeNumber } from './checks.js';

/** The three limits, each already checked (the option table's checkWholeNumber); the jitter needs a limit. */
export function recycleLimits(limits: RecycleLimits): RecycleLimits {
  if (limits.maxRequestsJitter > 0 && limits.maxRequests === 0) {
    usage(`--max-requests-jitter ${limits.maxRequestsJitter} needs --max-requests: set --max-requests too, or drop the jitter`);
  }
  return limits;
}
