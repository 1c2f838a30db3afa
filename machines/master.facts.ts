/**
 * What the master machine tells its observers, so that none of them reads a state name: the
 * tags its states carry, the facts it emits as they happen (a worker's exit, with its one
 * reason), and the step: one diff of two snapshots, computed once by the host and handed to
 * every observer (systemd, hooks, the daemon's starter, metrics, the inspector, the logs).
 */
import type { StateValue } from 'xstate';
import type { MasterContext } from './master.context.js';
import { stateName } from './state-name.js';
import { handleChanges, type ExitReason, type HandleChange } from './worker-handle.js';

/** The tags of master.machine.ts's states. */
export type MasterTag = 'booting' | 'serving' | 'reloading' | 'handed-over' | 'stopping' | 'halted';

/** A worker's exit, with its one reason. */
export type ExitFact = {
  type: 'workerExited';
  id: number;
  workerPid: number | null;
  generation: number;
  reason: ExitReason;
  code: number | null;
  signal: string | null;
};

/** A decision of the adaptive count (--workers MIN:MAX), with the figures it was taken on. */
export type ScaleFact = {
  type: 'scaled';
  direction: 'up' | 'down';
  reason: 'accept-queue' | 'utilisation' | 'quiet';
  from: number;
  to: number;
  queued: number;
  meanElu: number | null;
};

/** Emitted by the machine as it happens. */
export type MasterFact = ExitFact | ScaleFact;

/** A master snapshot as the facts are read from it (an XState snapshot is one). */
export interface MasterSnapshotLike {
  value: StateValue;
  context: MasterContext;
  hasTag(tag: MasterTag): boolean;
}

/** The master as an observer sees it at one moment. */
export interface MasterView {
  /** The state's name, for people (logs, status, labels): never to decide on. */
  state: string;
  booting: boolean;
  serving: boolean;
  reloading: boolean;
  handedOver: boolean;
  stopping: boolean;
  halted: boolean;
  context: MasterContext;
}

export type ReloadOutcome = 'completed' | 'abandoned' | 'config_failed' | 'interrupted';

/** One step of the master: the event handled, the master before and after, and what it meant. */
export interface MasterStep {
  cause: string;
  before: MasterView | null;
  after: MasterView;
  /** The state changed in this step. */
  moved: boolean;
  /** The first generation serves: booting is over. */
  ready: boolean;
  reloadStarted: boolean;
  reloadEnded: ReloadOutcome | null;
  /** The stop began in this step (TERM, INT, QUIT, a fault, a failed first boot). */
  stopBegan: boolean;
  /** The worker count aimed for changed (TTIN, TTOU, a reload's --workers). */
  targetChanged: boolean;
  /** Each worker's change of phase or pid, and the workers gone. */
  workers: HandleChange[];
  /** The exits of this step, as the machine classified them. */
  exits: ExitFact[];
  /** The adaptive count's decisions in this step. */
  scaled: ScaleFact[];
}

export function masterView(s: MasterSnapshotLike): MasterView {
  return {
    state: stateName(s.value),
    booting: s.hasTag('booting'),
    serving: s.hasTag('serving'),
    reloading: s.hasTag('reloading'),
    handedOver: s.hasTag('handed-over'),
    stopping: s.hasTag('stopping'),
    halted: s.hasTag('halted'),
    context: s.context,
  };
}

function reloadOutcome(before: MasterView, after: MasterView, cause: string): ReloadOutcome | null {
  if (!before.reloading || after.reloading) return null;
  if (cause === 'CONFIG_FAILED') return 'config_failed';
  if (!after.serving) return 'interrupted';
  // An abandoned reload goes back to the generation before it.
  return after.context.generation < before.context.generation ? 'abandoned' : 'completed';
}

export function masterStep(before: MasterView | null, after: MasterView, cause: string, facts: MasterFact[] = []): MasterStep {
  return {
    cause,
    before,
    after,
    moved: before?.state !== after.state,
    ready: before !== null && before.booting && after.serving,
    reloadStarted: before !== null && !before.reloading && after.reloading,
    reloadEnded: before && reloadOutcome(before, after, cause),
    stopBegan: after.stopping && !before?.stopping,
    targetChanged: before?.context.target !== after.context.target,
    workers: handleChanges(before?.context.workers ?? [], after.context.workers),
    exits: facts.filter((f): f is ExitFact => f.type === 'workerExited'),
    scaled: facts.filter((f): f is ScaleFact => f.type === 'scaled'),
  };
}
