/** Pure predicates the master machine's transitions are guarded by. */
import { assertEvent } from 'xstate';
import { EXIT } from './exit-codes.js';
import type { MasterContext } from './master.context.js';
import { ceilingOf, floorOf } from './master.count.js';
import { loadNeedsWorker, loadAllowsFewer, loadAtCeiling } from './master.scaler.js';
import type { MasterEvent } from './master.events.js';
import { exitReason, isServing, kindOfReason, type ExitKind, type ExitReason, type WorkerHandle } from './worker-handle.js';

export function findWorker(ctx: MasterContext, id: number): WorkerHandle | undefined {
  return ctx.workers.find((w) => w.id === id);
}

/** Why the worker of a WORKER_EXIT event is gone, or null for a worker the master does not know. */
export function reasonOfExit(ctx: MasterContext, event: MasterEvent): ExitReason | null {
  assertEvent(event, 'WORKER_EXIT');
  const w = findWorker(ctx, event.id);
  return w ? exitReason(w, event.code, EXIT.APP_LOAD_ERROR, ctx.generation) : null;
}

/** The kind of a WORKER_EXIT event (its reason, the retirements as one), or null. */
export function kindOfExit(ctx: MasterContext, event: MasterEvent): ExitKind | null {
  const reason = reasonOfExit(ctx, event);
  return reason && kindOfReason(reason);
}

/**
 * A boot failure halts the master only at the start, before any worker has served (the fail-fast
 * systemd and an operator need), and in the new master of a hot upgrade, whose old master serves
 * on. Once a worker serves, a sibling that cannot boot is retried with backoff.
 */
export const bootFailureHalts = (ctx: MasterContext): boolean => !ctx.hasServed || ctx.upgradeFrom !== null;

const isBootFailure = (kind: ExitKind | null) => kind === 'boot-failure' || kind === 'app-load-error';

export const guards = {
  /** While booting there is only the first generation: every ready worker is current. */
  allReady: ({ context }: { context: MasterContext }) => context.workers.filter((w) => w.phase === 'ready').length >= context.target,
  noStaleWorkers: ({ context }: { context: MasterContext }) => !context.workers.some((w) => w.generation !== context.generation && isServing(w)),
  noWorkersLeft: ({ context }: { context: MasterContext }) => context.workers.length === 0,
  /** TTOU, TTIN (and `statefork scale`): within one (MIN when adaptive) and the ceiling. */
  canShrink: ({ context }: { context: MasterContext }) => context.target > floorOf(context),
  canGrow: ({ context }: { context: MasterContext }) => context.target < ceilingOf(context).max,
  /** --workers MIN:MAX, on a load sample: see master.scaler.ts. */
  loadNeedsWorker: ({ context, event }: { context: MasterContext; event: MasterEvent }) => loadNeedsWorker(context, event),
  loadAtCeiling: ({ context, event }: { context: MasterContext; event: MasterEvent }) => loadAtCeiling(context, event),
  loadAllowsFewer: ({ context, event }: { context: MasterContext; event: MasterEvent }) => loadAllowsFewer(context, event),
  reloadQueued: ({ context }: { context: MasterContext }) => context.reloadQueued,
  /** One upgrade at a time, and none from a new master that is not promoted yet. */
  upgradeAllowed: ({ context }: { context: MasterContext }) => context.upgrade === null && context.upgradeFrom === null,
  upgradeRunning: ({ context }: { context: MasterContext }) => context.upgrade !== null,
  upgradeAuto: ({ context }: { context: MasterContext }) => context.settings.upgradeAuto === true,
  /** The app cannot load and nothing has served yet: halt with exit 4. */
  appCannotLoadAtStart: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'app-load-error' && bootFailureHalts(context),
  /** A worker cannot boot and nothing has served yet: halt with exit 3. */
  workerCannotBootAtStart: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'boot-failure' && bootFailureHalts(context),
  /** A first-generation worker cannot boot while a sibling already served: serve on, retry with backoff. */
  siblingCannotBoot: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    isBootFailure(kindOfExit(context, event)) && !bootFailureHalts(context),
  /** A worker of the generation being rolled out could not boot: the reload is abandoned. */
  exitIsNewGenerationBootFailure: ({ context, event }: { context: MasterContext; event: MasterEvent }) => {
    assertEvent(event, 'WORKER_EXIT');
    return isBootFailure(kindOfExit(context, event)) && findWorker(context, event.id)!.generation === context.generation;
  },
};
