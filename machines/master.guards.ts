/** Pure predicates the master machine's transitions are guarded by. */
import { EXIT } from './exit-codes.js';
import type { MasterContext } from './master.context.js';
import type { MasterEvent } from './master.events.js';
import { exitKind, isServing, type ExitKind, type WorkerHandle } from './worker-handle.js';

export function findWorker(ctx: MasterContext, id: number): WorkerHandle | undefined {
  return ctx.workers.find((w) => w.id === id);
}

/** The kind of a WORKER_EXIT event, or null for any other event or an unknown worker. */
export function kindOfExit(ctx: MasterContext, event: MasterEvent): ExitKind | null {
  if (event.type !== 'WORKER_EXIT') return null;
  const w = findWorker(ctx, event.id);
  return w ? exitKind(w, event.code, EXIT.APP_LOAD_ERROR) : null;
}

export const guards = {
  allCurrentReady: ({ context }: { context: MasterContext }) =>
    context.workers.filter((w) => w.generation === context.generation && w.phase === 'ready').length >= context.target,
  noStaleWorkers: ({ context }: { context: MasterContext }) =>
    !context.workers.some((w) => w.generation !== context.generation && isServing(w)),
  noWorkersLeft: ({ context }: { context: MasterContext }) => context.workers.length === 0,
  canShrink: ({ context }: { context: MasterContext }) => context.target > 1,
  reloadQueued: ({ context }: { context: MasterContext }) => context.reloadQueued,
  exitIsAppLoadError: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'app-load-error',
  exitIsBootFailure: ({ context, event }: { context: MasterContext; event: MasterEvent }) =>
    kindOfExit(context, event) === 'boot-failure',
  /** A worker of the generation being rolled out could not boot: the reload is abandoned. */
  exitIsNewGenerationBootFailure: ({ context, event }: { context: MasterContext; event: MasterEvent }) => {
    const kind = kindOfExit(context, event);
    const w = event.type === 'WORKER_EXIT' ? findWorker(context, event.id) : undefined;
    return (kind === 'boot-failure' || kind === 'app-load-error') && w?.generation === context.generation;
  },
};
