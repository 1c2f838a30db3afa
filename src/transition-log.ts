/**
 * Turns XState inspection events into transition records, one JSON line each:
 *   {"event":"transition","machine":"master","from":"booting","to":"serving.running","cause":"WORKER_READY"}
 * so a log replays as the machine's path.
 */
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import type { Logger } from './log.js';

export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value).map(([k, v]) => (v && (typeof v === 'string' || Object.keys(v).length) ? `${k}.${stateName(v as StateValue)}` : k)).join(',');
}

export interface SnapshotLike {
  value: StateValue;
  context: unknown;
}

/**
 * An inspect callback for the root actor: calls `onStep` with each new snapshot and the event
 * that produced it, and logs the state change when there is one.
 */
export function transitionLogger(
  machine: string,
  log: Logger,
  onStep?: (prev: SnapshotLike | null, next: SnapshotLike, cause: string) => void,
) {
  let prev: SnapshotLike | null = null;
  return (ev: InspectionEvent) => {
    if (ev.type !== '@xstate.snapshot') return;
    const ref = ev.actorRef as AnyActorRef;
    if (ref._parent) return; // only the root actor
    const next = ev.snapshot as unknown as SnapshotLike;
    const cause = ev.event.type;
    const from = prev ? stateName(prev.value) : null;
    const to = stateName(next.value);
    if (from !== to) log.info({ event: 'transition', machine, from, to, cause }, `${machine}: ${from ?? '(start)'} -> ${to}`);
    onStep?.(prev, next, cause);
    prev = next;
  };
}
