/**
 * The `draining` signal of the `statefork/worker` export, and the worker runtime's hold on it. It
 * lives on a global symbol, not in a module variable: an app may load its own copy of statefork
 * (another path in node_modules), and its `draining` must still be the one this worker aborts.
 * Outside statefork (the app run with plain `node`) nobody aborts it.
 */
import type { DrainReason } from '../../machines/protocol.js';

const KEY = Symbol.for('statefork.worker.draining');

type Holder = { [KEY]?: AbortController };

function controller(): AbortController {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= new AbortController());
}

/** Aborts when this worker starts draining; `reason` is why: reload, retire, recycle, scale or stop. */
export const draining: AbortSignal = controller().signal;

/** The worker runtime: this worker drains. Only the first call counts (the app is told once). */
export function startDraining(reason: DrainReason): void {
  const c = controller();
  if (!c.signal.aborted) c.abort(reason);
}
