/**
 * The master's periodic check as an Observable: a tick carrying every live worker's latest
 * heartbeat stamp (see ./heartbeat.ts). It only reads; the machine decides what a silent stamp means.
 */
import { interval, map, type Observable } from './rx-operators.js';

import type { SourceEvent } from '../../machines/master.events.js';

export type TickEvent = SourceEvent<'TICK'>;

export function ticks$(periodMs: number, beats: () => Record<number, number>): Observable<TickEvent> {
  return interval(periodMs).pipe(map(() => ({ type: 'TICK' as const, beats: beats() })));
}

/** The adaptive count's load sample, on a period of its own (see LOAD_SAMPLE_MS, src/master/host/sources.ts). */
export function samples$<T>(periodMs: number, sample: () => T): Observable<T> {
  return interval(periodMs).pipe(map(sample));
}
