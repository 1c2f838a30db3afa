/**
 * Unix signals as an Observable of machine events. It only listens and emits: what a signal
 * means is the machine's business. Unsubscribing removes the listeners, so the default
 * dispositions come back. Built on Observable alone: the worker imports it, and RxJS's
 * operators (merge, fromEvent, map and what they pull in) would cost every worker 3 MiB.
 */
import { Observable } from './rx.js';

export function signals$<T extends string>(table: Readonly<Record<string, T>>): Observable<{ type: T; signal: NodeJS.Signals }> {
  return new Observable((subscriber) => {
    const listeners = Object.entries(table).map(([signal, type]) => {
      const listener = () => subscriber.next({ type, signal: signal as NodeJS.Signals });
      process.on(signal, listener);
      return () => process.off(signal, listener);
    });
    return () => {
      for (const off of listeners) off();
    };
  });
}
