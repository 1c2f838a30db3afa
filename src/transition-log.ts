/**
 * Turns XState inspection events into transition records, one JSON line each:
 *   {"event":"transition","machine":"master","from":"booting","to":"serving.running","cause":"WORKER_READY"}
 * so a log replays as the machine's path; at debug level, a "step" record for every event
 * handled, including those that leave the state as it is.
 */
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import { stateName } from '../machines/state-name.js';
import type { Logger } from './record-log.js';

export interface SnapshotLike {
  value: StateValue;
  context: unknown;
}

/**
 * An inspect callback for the root actor: calls `onStep` with each new snapshot and the event
 * that produced it, and logs the state change when there is one.
 */
export function transitionLogger<S extends SnapshotLike = SnapshotLike>(
  machine: string,
  log: Logger,
  onStep?: (prev: S | null, next: S, cause: string) => void,
) {
  let prev: S | null = null;
  let current: string | null = null;
  // Built only when it is written: a master handles a tick a second, forever.
  const debug = log.isLevelEnabled('debug');
  // Microsteps too: an eventless transition (stopping -> halted) taken in the same step as the
  // one before it would otherwise be missing from the history.
  const record = (snapshot: SnapshotLike, cause: string) => {
    const to = stateName(snapshot.value);
    if (to !== current) log.info({ event: 'transition', machine, from: current, to, cause }, `${machine}: ${current ?? '(start)'} -> ${to}`);
    current = to;
  };
  return (ev: InspectionEvent) => {
    if (ev.type !== '@xstate.snapshot' && ev.type !== '@xstate.microstep') return;
    const ref = ev.actorRef as AnyActorRef;
    if (ref._parent) return; // only the root actor
    // The root actor's snapshot, of the machine this logger was made for.
    const next = ev.snapshot as unknown as S;
    const before = prev ? stateName(prev.value) : null;
    record(next, ev.event.type);
    if (ev.type === '@xstate.snapshot') {
      // Every event handled, state change or not: at debug level, the complete path.
      if (debug) log.debug({ event: 'step', machine, from: before, to: current, cause: ev.event.type }, `${machine} handled ${ev.event.type}`);
      onStep?.(prev, next, ev.event.type);
      prev = next;
    }
  };
}
