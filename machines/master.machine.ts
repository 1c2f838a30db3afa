/**
 * The master (arbiter) lifecycle. Every signal, worker exit, IPC message and tick is an event;
 * every decision is a guard or an action here. Effects (spawn, signal, close sockets, reload
 * the configuration, log) are named in master.setup.ts and provided by src/master/.
 *
 *   booting ──all ready──▶ serving.running ◀──done/abandoned── serving.reloading
 *      │                        │  HUP ─────────────────────────────▶│
 *      └── first generation cannot boot ─▶ stopping.quick            │
 *   any ── TERM ─▶ stopping.graceful ── INT/QUIT ─▶ stopping.quick ─▶ halted
 */
import { initialContext } from './master.context.js';
import { masterSetup } from './master.setup.js';
import { MSG } from './master.messages.js';

const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => ({ type: 'log' as const, params: { level, msg } });

/** Events every live state treats the same way. */
const common = {
  WORKER_SPAWNED: { actions: 'recordSpawn' as const },
  WORKER_FAILED: { actions: 'recordFailure' as const },
  USR1: { actions: ['reopenLogs' as const, 'forwardReopen' as const] },
  USR2: { actions: log('warn', MSG.usr2Unsupported) },
  WINCH: { actions: log('debug', MSG.winchIgnored) },
};

/** Scaling is the same while booting and serving; TTOU never goes below one worker. */
const scaling = {
  TTIN: { actions: ['scaleUp' as const, log('info', MSG.ttin), 'reconcile' as const] },
  TTOU: [
    { guard: 'canShrink' as const, actions: ['scaleDown' as const, log('info', MSG.ttou), 'reconcile' as const] },
    { actions: log('warn', MSG.ttouAtOne) },
  ],
};

const stops = {
  TERM: { target: '#master.stopping.graceful' },
  INT: { target: '#master.stopping.quick' },
  QUIT: { target: '#master.stopping.quick' },
};

export const masterMachine = masterSetup.createMachine({
  id: 'master',
  context: ({ input }) => initialContext(input),
  initial: 'booting',
  output: ({ context }) => ({ exitCode: context.exitCode, reason: context.reason }),
  states: {
    booting: {
      entry: 'reconcile',
      always: { guard: 'allReady', target: 'serving', actions: log('info', MSG.ready) },
      on: {
        ...common,
        ...scaling,
        ...stops,
        HUP: { actions: log('warn', MSG.hupWhileBooting) },
        WORKER_READY: { actions: 'markReady' },
        WORKER_RECYCLE: { actions: ['markRecycling', 'reconcile'] },
        TICK: { actions: ['watchWorkers', 'reconcile'] },
        // gunicorn halts on any boot failure; we do only while nothing serves yet.
        WORKER_EXIT: [
          { guard: 'exitIsAppLoadError', target: 'stopping.quick', actions: ['haltOnBootFailure', 'noteExit'] },
          { guard: 'exitIsBootFailure', target: 'stopping.quick', actions: ['haltOnBootFailure', 'noteExit'] },
          { actions: ['noteExit', 'reconcile'] },
        ],
      },
    },
    serving: {
      initial: 'running',
      on: {
        ...common,
        ...scaling,
        ...stops,
        WORKER_READY: { actions: ['markReady', 'reconcile'] },
        WORKER_RECYCLE: { actions: ['markRecycling', 'reconcile'] },
        TICK: { actions: ['watchWorkers', 'reconcile'] },
        // After start-up a boot failure never halts: it is logged and retried with backoff.
        WORKER_EXIT: { actions: ['noteExit', 'reconcile'] },
      },
      states: {
        running: {
          // A HUP that came during a reload starts the next one as soon as that one is over.
          always: { guard: 'reloadQueued', target: 'reloading', actions: ['dequeueReload', log('info', MSG.queuedReloadStarts)] },
          on: { HUP: { target: 'reloading', actions: log('info', MSG.hup) } },
        },
        reloading: {
          initial: 'configuring',
          // One generation boots at a time: a burst of HUPs cannot become a storm of processes.
          on: { HUP: { actions: ['queueReload', log('info', MSG.hupQueued)] } },
          states: {
            configuring: {
              entry: 'loadConfig',
              on: {
                CONFIG_LOADED: { target: 'rolling', actions: 'beginGeneration' },
                CONFIG_FAILED: { target: '#master.serving.running', actions: log('error', MSG.configFailed) },
              },
            },
            rolling: {
              entry: 'reconcile',
              always: { guard: 'noStaleWorkers', target: '#master.serving.running', actions: log('info', MSG.reloadComplete) },
              on: {
                WORKER_EXIT: [
                  { guard: 'exitIsNewGenerationBootFailure', target: '#master.serving.running', actions: ['noteExit', 'abandonReload', 'reconcile'] },
                  { actions: ['noteExit', 'reconcile'] },
                ],
              },
            },
          },
        },
      },
    },
    stopping: {
      always: { guard: 'noWorkersLeft', target: 'halted' },
      initial: 'graceful',
      on: {
        ...common,
        // Every worker was told to go (or is about to be, after --drain-delay): a late
        // WORKER_READY or WORKER_RECYCLE changes nothing and is ignored.
        WORKER_EXIT: { actions: 'noteExit' },
        TICK: { actions: 'watchWorkers' },
        HUP: { actions: log('warn', MSG.hupStopping) },
        TTIN: { actions: log('warn', MSG.ttinStopping) },
        TTOU: { actions: log('warn', MSG.ttouStopping) },
      },
      states: {
        graceful: {
          entry: 'terminateAll',
          on: {
            TICK: { actions: ['watchWorkers', 'drainWhenDue'] },
            TERM: { actions: log('info', MSG.termWhileGraceful) },
            INT: { target: 'quick' },
            QUIT: { target: 'quick' },
          },
        },
        quick: {
          entry: ['quitAll', log('info', MSG.quickStop)],
          on: {
            TERM: { actions: log('info', MSG.termWhileQuick) },
            INT: { actions: log('info', MSG.intWhileQuick) },
            QUIT: { actions: log('info', MSG.quitWhileQuick) },
          },
        },
      },
    },
    halted: { type: 'final' },
  },
});

export type MasterMachine = typeof masterMachine;
