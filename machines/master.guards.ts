/** Pure predicates the master machine's transitions are guarded by. */
import { assertEvent } from 'xstate';
import { EXIT } from './exit-codes.js';
import type { MasterContext } from './master.context.js';
import type { MasterEvent } from './master.events.js';
import { exitKind, isServing, type ExitKind, type WorkerHandle } from './worker-handle.js';

export function findWorker(ctx: MasterContext, id: number): WorkerHandle | undefined {
  return ctx.workers.find((w) => w.id === id);
}

/** The kind of a WORKER_EXIT event, or null for a worker the master does not know. */
export function kindOfExit(ctx: MasterContext, event: MasterEvent): ExitKind | null {
  assertEvent(event, 'WORKER_EXIT');
  const w = findWorker(ctx, event.id);
  return w ? exitKind(w, event.code, EXIT.APP_LOAD_ERROR) : null;
}

export const guards = {
  /** While booting there is only the first generation: every ready worker is current. */
  allReady: ({ context }: { context: MasterContext }) =>
    context.workers.filter((w) => w.phase === 'ready').length >= context.target,
  noStaleWorkers: ({ context }: { context: MasterContext }) =>
    !context.workers.some((w) => w.generation !== context.generation && isServing(w)),
  noWorkersLeft: ({ context }: { context: MasterContext }) => context.workers.length === 0,
  canShrink: ({ context }: { context: MasterContext }) => context.target > 1,
  reloadQueued: ({ context }: { context: MasterContext }) => context.reloadQueued,
  /** One upgrade at a time, and none from a new master that is not promoted yet. */
  upgradeAllowed: ({ context }: { context: MasterContext }) => context.upgrade === null && context.upgradeFrom === null,
  upgradeRunning: ({ context }: { context: MasterContext }) => context.upgrade !== null,
  upgradeAuto: ({ context }: { context: MasterContext }) => context.settings.upgradeAuto === true,
  exitIsAppLoadError: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'app-load-error',
  exitIsBootFailure: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'boot-failure',
  /** A worker of the generation being rolled out could not boot: the reload is abandoned. */
  exitIsNewGenerationBootFailure: ({ context, event }: { context: MasterContext; event: MasterEvent }) => {
    assertEvent(event, 'WORKER_EXIT');
    const kind = kindOfExit(context, event);
    return (kind === 'boot-failure' || kind === 'app-load-error') && findWorker(context, event.id)!.generation === context.generation;
  },
};
