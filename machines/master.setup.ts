/**
 * The master machine's vocabulary: its types, the effects it names (implemented in src/ through
 * `.provide()`; here they do nothing), its guards, and the actions that change its context.
 */
import { assertEvent, assign, fromCallback, setup, type EventObject } from 'xstate';
import { EXIT } from './exit-codes.js';
import { STABLE_MS, type MasterContext, type MasterInput, type MasterSettings } from './master.context.js';
import { reloadTarget } from './master.count.js';
import { scalerDecisions } from './master.scaler.js';
import type { MasterEvent } from './master.events.js';
import { findWorker, guards, kindOfExit, reasonOfExit } from './master.guards.js';
import { abandonReload, isStableAfterFailures, logEffect, reconcile, stopAll, watch } from './master.plan.js';
import { diedOfItself, isBooting, kindOfReason, signalled } from './worker-handle.js';
import { effectStubs } from './master.effects.js';
import type { MasterFact, MasterTag } from './master.facts.js';
import { apply, closeSockets, decide } from './master.decide.js';
import { upgradeDecisions } from './master.upgrade-decisions.js';
import { MSG } from './master.messages.js';

/** Time of the event being handled; only the init event lacks one. */
export const nowOf = (event: MasterEvent | { type: string }, ctx: MasterContext): number =>
  'now' in event && typeof event.now === 'number' ? event.now : ctx.startedAt;

export const masterSetup = setup({
  types: {
    context: {} as MasterContext,
    events: {} as MasterEvent,
    input: {} as MasterInput,
    output: {} as { exitCode: number; reason: string | null },
    tags: {} as MasterTag,
    emitted: {} as MasterFact,
  },
  actors: {
    /**
     * A reload's configuration, re-read (a JS config file is imported, so it takes time): invoked
     * while configuring, it sends back CONFIG_LOADED or CONFIG_FAILED. Provided by the host.
     */
    loadConfig: fromCallback<EventObject>(() => {}),
  },
  actions: {
    // Effects: declared in master.effects.ts, carried out by the host (src/master/host/effects.ts).
    ...effectStubs,

    // Decisions: pure context updates, plus effects enqueued from a plan.
    reconcile: decide(({ context, event, enqueue }) => apply(reconcile(context, nowOf(event, context)), enqueue)),
    watchWorkers: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'TICK');
      apply(watch(context, event.now, event.beats), enqueue);
      if (isStableAfterFailures(context, event.now)) {
        enqueue.assign({ failures: 0 });
        enqueue(logEffect('info', MSG.stableAgain));
      }
    }),
    /** Graceful stop: close the sockets and TERM every worker; with --drain-delay, first wait. */
    terminateAll: decide(({ context, event, enqueue }) => {
      const now = nowOf(event, context);
      const delay = context.settings.drainDelayMs ?? 0;
      // Graceful is entered once per stop, so this is the first TERM. A master handing over to
      // a new one on the same sockets is in no load balancer's way: no delay then.
      if (delay > 0 && context.workers.length && context.upgrade === null) {
        enqueue.assign({ drainAt: now + delay });
        enqueue(logEffect('info', MSG.drainDelay, { drainDelayMs: delay }));
        return;
      }
      apply(stopAll(closeSockets(context, enqueue), now, false), enqueue);
      enqueue(logEffect('info', MSG.gracefulStop));
    }),
    /** --drain-delay: on the first tick past it, the graceful stop proper. */
    drainWhenDue: decide(({ context, event, enqueue }) => {
      const now = nowOf(event, context);
      if (context.drainAt === null || now < context.drainAt) return;
      enqueue.assign({ drainAt: null });
      enqueue(logEffect('info', MSG.drainDelayOver));
      apply(stopAll(closeSockets(context, enqueue), now, false), enqueue);
    }),
    quitAll: decide(({ context, event, enqueue }) => {
      apply(stopAll(closeSockets(context, enqueue), nowOf(event, context), true), enqueue);
    }),
    /** WINCH during an upgrade: every worker retires gracefully; the sockets stay open. */
    handOver: decide(({ context, event, enqueue }) => apply(stopAll(context, nowOf(event, context), false, 'handover'), enqueue)),
    ...upgradeDecisions,
    abandonReload: decide(({ context, event, enqueue }) => {
      apply(abandonReload(context, nowOf(event, context)), enqueue);
      enqueue.assign({ generation: context.previousGeneration });
      enqueue(logEffect('error', MSG.reloadAbandoned, { generation: context.generation }));
    }),
    /**
     * USR1 to every worker that has reported ready (so has its handlers in place). A worker
     * still starting could be killed by it (USR1's default action): it gets the signal once it
     * reports ready; one told to go before it was ready is left alone.
     */
    forwardReopen: decide(({ context, enqueue }) => {
      for (const w of context.workers) {
        if (w.readyAt !== null) enqueue({ type: 'signalWorker', params: { id: w.id, workerPid: w.pid, signal: 'SIGUSR1', socketsHeld: false, drain: null } });
      }
      enqueue.assign({ workers: context.workers.map((w) => (isBooting(w) ? { ...w, reopenPending: true } : w)) });
    }),
    recordSpawn: assign({
      workers: ({ context, event }) => {
        assertEvent(event, 'WORKER_SPAWNED');
        return context.workers.map((w) => (w.id === event.id ? { ...w, pid: event.pid, phase: w.phase === 'spawning' ? ('booting' as const) : w.phase } : w));
      },
    }),
    markReady: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'WORKER_READY');
      const w = findWorker(context, event.id);
      if (!w || !isBooting(w)) return;
      enqueue.assign({
        hasServed: true,
        workers: context.workers.map((x) => (x.id === w.id ? { ...x, phase: 'ready' as const, readyAt: event.now, beatAt: event.now } : x)),
      });
      if (w.reopenPending) enqueue({ type: 'signalWorker', params: { id: w.id, workerPid: w.pid, signal: 'SIGUSR1', socketsHeld: false, drain: null } });
      enqueue(logEffect('info', MSG.workerReady, { id: w.id, workerPid: w.pid, generation: w.generation, bootMs: event.now - w.spawnedAt }));
    }),
    /** A ready worker at its limit is marked; reconcile spawns its replacement first. */
    markRecycling: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'WORKER_RECYCLE');
      const w = findWorker(context, event.id);
      if (!w || w.phase !== 'ready' || w.recycle) return;
      enqueue.assign({ workers: context.workers.map((x) => (x.id === w.id ? { ...x, recycle: event.reason } : x)) });
      enqueue(logEffect('info', MSG.recycle, { id: w.id, workerPid: w.pid, reason: event.reason }));
    }),
    /**
     * A worker broke the IPC protocol: it is killed at once (SIGKILL: whatever wrote the garbage
     * is not trusted to drain). It counts as a failure now, so that the replacement reconcile
     * starts is already under the backoff: a worker that always does it never spawns in a loop.
     */
    dismissWorker: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'WORKER_PROTOCOL_ERROR');
      const w = findWorker(context, event.id);
      if (!w || w.phase === 'killed') return;
      const killed = { ...signalled(w, 'SIGKILL', 'protocol', null), failure: `broke the IPC protocol: ${event.reason}` };
      const failures = context.failures + 1;
      enqueue.assign({ workers: context.workers.map((x) => (x.id === w.id ? killed : x)), failures, lastFailureAt: event.now });
      enqueue(logEffect('error', MSG.protocolError, { id: w.id, workerPid: w.pid, reason: event.reason, failures }));
      enqueue({ type: 'signalWorker', params: { id: w.id, workerPid: w.pid, signal: 'SIGKILL', socketsHeld: false, drain: null } });
    }),
    /** The master's last-resort handler caught an error: the stop it causes ends with exit 1. */
    noteFault: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'FAULT');
      // A stop that already has a reason to fail (a first generation that cannot boot) keeps it.
      if (context.exitCode === 0) enqueue.assign({ exitCode: EXIT.FAILURE, reason: `master fault: ${event.reason}` });
      enqueue(logEffect('fatal', MSG.fault, { reason: event.reason }));
    }),
    recordFailure: assign({
      workers: ({ context, event }) => {
        assertEvent(event, 'WORKER_FAILED');
        return context.workers.map((w) => (w.id === event.id ? { ...w, failure: event.reason } : w));
      },
    }),
    /** Logs an exit with its kind, counts failures for the backoff, and forgets the worker. */
    noteExit: decide(({ context, event, enqueue }) => {
      assertEvent(event, 'WORKER_EXIT');
      const w = findWorker(context, event.id);
      if (!w) return; // not one of ours (already forgotten)
      const reason = reasonOfExit(context, event)!;
      const kind = kindOfReason(reason);
      const young = kind === 'crash' && event.now - w.readyAt! < STABLE_MS && diedOfItself(event.code, event.signal);
      // A worker that broke the protocol was counted when it was dismissed.
      const failed = w.cause !== 'protocol' && (kind === 'boot-failure' || kind === 'app-load-error' || young);
      if (failed) enqueue.assign({ failures: context.failures + 1, lastFailureAt: event.now });
      const level = kind === 'retired' ? 'info' : kind === 'timeout' ? 'warn' : 'error';
      enqueue(
        logEffect(level, `worker exited: ${kind}`, {
          id: w.id,
          workerPid: w.pid,
          code: event.code,
          signal: event.signal,
          reason: w.failure ?? undefined,
          failures: failed ? context.failures + 1 : undefined,
        }),
      );
      enqueue.assign({ workers: context.workers.filter((x) => x.id !== w.id) });
      enqueue.emit({ type: 'workerExited', id: w.id, workerPid: w.pid, generation: w.generation, reason, code: event.code, signal: event.signal });
    }),
    /** The first generation cannot boot: remember the exit code and reason the master will halt with. */
    haltOnBootFailure: assign(({ context, event }) => {
      assertEvent(event, 'WORKER_EXIT');
      const w = findWorker(context, event.id)!;
      const appLoad = kindOfExit(context, event) === 'app-load-error';
      const detail =
        w.failure ??
        (w.cause === 'boot-timeout'
          ? `not ready within ${context.settings.bootTimeoutMs / 1000} s (--boot-timeout)`
          : `exited with ${event.signal ?? `code ${event.code}`} before it was ready`);
      return appLoad
        ? { exitCode: EXIT.APP_LOAD_ERROR, reason: `App failed to load: ${detail}` }
        : { exitCode: EXIT.WORKER_BOOT_ERROR, reason: `Worker failed to boot: ${detail}` };
    }),
    queueReload: assign({ reloadQueued: true }),
    dequeueReload: assign({ reloadQueued: false }),
    ...scalerDecisions,
    /**
     * HUP: new settings and a new generation. A fixed count's TTIN/TTOU adjustments survive unless
     * --workers changed; an adaptive count carries over as it is (within the new MIN:MAX): the new
     * generation boots the workers the load needs now, not MIN.
     */
    beginGeneration: assign(({ context, event }) => {
      assertEvent(event, 'CONFIG_LOADED');
      const settings: MasterSettings = event.settings;
      return {
        settings,
        target: reloadTarget(context, settings),
        previousGeneration: context.generation,
        generation: context.generation + 1,
      };
    }),
  },
  guards,
});
