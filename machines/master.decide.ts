/**
 * How the master machine's decisions are written: an action that reads the context and the
 * event, assigns, enqueues the effects of master.effects.ts (no other) and emits facts.
 */
import { enqueueActions } from 'xstate';
import { mayUnlinkSockets, type MasterContext } from './master.context.js';
import type { EffectObject } from './master.effects.js';
import type { MasterEvent } from './master.events.js';
import type { MasterFact } from './master.facts.js';
import type { Plan } from './master.plan.js';

/** What a decision may enqueue: the effects of master.effects.ts, no other; the facts it may emit. */
type Collect = Parameters<typeof enqueueActions<MasterContext, MasterEvent, undefined, MasterEvent, never, EffectObject, never, never, MasterFact>>[0];
export type DecideArgs = Parameters<Collect>[0];
export type Enqueue = DecideArgs['enqueue'];

/**
 * An action that decides: reads the context and event, assigns, enqueues effects and emits
 * facts. Its type is spelt out, so TypeScript does not infer the action map through itself.
 */
export function decide(fn: (args: DecideArgs) => void) {
  return enqueueActions<MasterContext, MasterEvent, undefined, MasterEvent, never, EffectObject, never, never, MasterFact>(fn);
}

/**
 * Closes the listening sockets once: before the workers are told to go (the context returned is
 * the one they are told in). A unix socket's file is removed only when no other master shares
 * the sockets.
 */
export function closeSockets(context: MasterContext, enqueue: Enqueue): MasterContext {
  if (context.socketsClosed) return context;
  enqueue.assign({ socketsClosed: true });
  enqueue({ type: 'closeListeners', params: { unlink: mayUnlinkSockets(context) } });
  return { ...context, socketsClosed: true };
}

export function apply(plan: Plan, enqueue: Enqueue) {
  enqueue.assign({ workers: plan.workers, nextId: plan.nextId });
  for (const effect of plan.effects) enqueue(effect);
}
