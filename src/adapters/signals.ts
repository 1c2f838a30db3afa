/**
 * Unix signals as an Observable of machine events. It only listens and emits: what a signal
 * means is the machine's business. Unsubscribing removes the listeners, so the default
 * dispositions come back.
 */
import { fromEvent, map, merge, type Observable } from './rx.js';

export function signals$<T extends string>(table: Readonly<Record<string, T>>): Observable<{ type: T; signal: NodeJS.Signals }> {
  return merge(
    ...Object.entries(table).map(([signal, type]) =>
      fromEvent(process, signal).pipe(map(() => ({ type, signal: signal as NodeJS.Signals }))),
    ),
  );
}
