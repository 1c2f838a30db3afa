/**
 * Worker recycling limits (--max-requests, --max-requests-jitter, --max-memory), validated like
 * every other option. 0 turns a limit off; that is the default for all three.
 */
import { usage, type Field, type Options } from './options.js';

import type { RecycleLimits } from '../../machines/worker-settings.js';

export type { RecycleLimits };

export const RECYCLE_DEFAULTS: RecycleLimits = { maxRequests: 0, maxRequestsJitter: 0, maxMemoryMb: 0 };

export function checkWholeNumber(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    usage(`invalid ${name} '${value}': expected a whole number, 0 or more; 0 turns it off (e.g. ${name} 1000)`);
  }
  return n;
}

export function recycleLimits(options: Options, field: Field): RecycleLimits {
  const maxRequests = field('maxRequests', () => checkWholeNumber('--max-requests', options.maxRequests ?? RECYCLE_DEFAULTS.maxRequests));
  const maxRequestsJitter = field('maxRequestsJitter', () => checkWholeNumber('--max-requests-jitter', options.maxRequestsJitter ?? RECYCLE_DEFAULTS.maxRequestsJitter));
  const maxMemoryMb = field('maxMemory', () => checkWholeNumber('--max-memory', options.maxMemory ?? RECYCLE_DEFAULTS.maxMemoryMb));
  if (maxRequestsJitter > 0 && maxRequests === 0) {
    usage(`--max-requests-jitter ${maxRequestsJitter} needs --max-requests: set --max-requests too, or drop the jitter`);
  }
  return { maxRequests, maxRequestsJitter, maxMemoryMb };
}
