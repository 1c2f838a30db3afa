/**
 * The worker's signals are statefork's: SIGTERM drains the worker, SIGINT and SIGQUIT stop it,
 * SIGUSR1 reopens its logs. An app written to run alone often handles them itself, and Next.js
 * standalone's handler closes its server and calls `process.exit(0)` on SIGTERM, which would end
 * a draining worker with its requests in flight. So while an app loads, the listeners it adds
 * for these signals are noted; once its own listen() is captured (it expects to own the process)
 * they are taken out, with one warning per signal, and later ones are refused the same way. An
 * app served from an export keeps its listeners, as before.
 */
type Method = 'on' | 'addListener' | 'once' | 'prependListener' | 'prependOnceListener';
const METHODS: readonly Method[] = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'];
type Listener = (...args: unknown[]) => void;

export interface SignalGuard {
  /** The app is served from its export: its listeners stay, the guard goes. */
  release(): void;
  /** The app's listen was captured: its listeners for these signals go, now and later. */
  takeOver(): void;
}

export function guardSignals(signals: readonly string[], warn: (signal: string) => void): SignalGuard {
  const added: Array<[string, Listener]> = [];
  const warned = new Set<string>();
  const once = (signal: string) => {
    if (!warned.has(signal)) warn(signal);
    warned.add(signal);
  };
  let refusing = false;
  const originals = new Map<Method, unknown>();
  for (const method of METHODS) {
    const own = process[method] as (this: NodeJS.Process, ...args: unknown[]) => NodeJS.Process;
    originals.set(method, own);
    process[method] = function (this: NodeJS.Process, event: string | symbol, listener: Listener) {
      if (typeof event === 'string' && signals.includes(event)) {
        if (refusing) {
          once(event);
          return process;
        }
        added.push([event, listener]);
      }
      return own.call(this, event, listener);
    } as NodeJS.Process[Method];
  }
  const restore = () => {
    for (const [method, own] of originals) process[method] = own as NodeJS.Process[Method];
  };
  return {
    release() {
      restore();
      added.length = 0;
    },
    takeOver() {
      refusing = true;
      for (const [signal, listener] of added.splice(0)) {
        process.off(signal, listener);
        once(signal);
      }
    },
  };
}
