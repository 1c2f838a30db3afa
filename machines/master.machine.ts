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

const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => ({ type: 'log' as const, params: { level, msg } });

/** Events every live state treats the same way. */
const common = {
  WORKER_SPAWNED: { actions: 'recordSpawn' as const },
  WORKER_FAILED: { actions: 'recordFailure' as const },
  USR1: { actions: ['reopenLogs' as const, 'forwardReopen' as const] },
  USR2: { actions: log('warn', 'USR2 (hot upgrade) is not supported yet: ignored') },
  WINCH: { actions: log('debug', 'WINCH ignored: not daemonized') },
};

/** Scaling is the same while booting and serving; TTOU never goes below one worker. */
const scaling = {
  TTIN: { actions: ['scaleUp' as const, log('info', 'TTIN: one more worker'), 'reconcile' as const] },
  TTOU: [
    { guard: 'canShrink' as const, actions: ['scaleDown' as const, log('info', 'TTOU: one worker fewer'), 'reconcile' as const] },
    { actions: log('warn', 'TTOU ignored: already at one worker') },
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
      always: { guard: 'allCurrentReady', target: 'serving', actions: log('info', 'ready: every worker of the first generation is serving') },
      on: {
        ...common,
        ...scaling,
        ...stops,
        HUP: { actions: log('warn', 'HUP ignored while the first generation boots') },
        WORKER_READY: { actions: 'markReady' },
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
        TICK: { actions: ['watchWorkers', 'reconcile'] },
        // After start-up a boot failure never halts: it is logged and retried with backoff.
        WORKER_EXIT: { actions: ['noteExit', 'reconcile'] },
      },
      states: {
        running: {
          // A HUP that came during a reload starts the next one as soon as that one is over.
          always: { guard: 'reloadQueued', target: 'reloading', actions: ['dequeueReload', log('info', 'starting the reload queued during the last one')] },
          on: { HUP: { target: 'reloading', actions: log('info', 'HUP: reloading') } },
        },
        reloading: {
          initial: 'configuring',
          // One generation boots at a time: a burst of HUPs cannot become a storm of processes.
          on: { HUP: { actions: ['queueReload', log('info', 'HUP during a reload: queued; the newest code loads once this generation is up')] } },
          states: {
            configuring: {
              entry: 'loadConfig',
              on: {
                CONFIG_LOADED: { target: 'rolling', actions: 'beginGeneration' },
                CONFIG_FAILED: { target: '#master.serving.running', actions: log('error', 'reload failed: the configuration did not load; still running on the old one') },
              },
            },
            rolling: {
              entry: 'reconcile',
              always: { guard: 'noStaleWorkers', target: '#master.serving.running', actions: log('info', 'reload complete: every worker is of the new generation') },
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
      entry: 'closeListeners',
      always: { guard: 'noWorkersLeft', target: 'halted' },
      initial: 'graceful',
      on: {
        ...common,
        WORKER_READY: { actions: 'markReady' },
        WORKER_EXIT: { actions: 'noteExit' },
        TICK: { actions: 'watchWorkers' },
        HUP: { actions: log('warn', 'HUP ignored: stopping') },
        TTIN: { actions: log('warn', 'TTIN ignored: stopping') },
        TTOU: { actions: log('warn', 'TTOU ignored: stopping') },
      },
      states: {
        graceful: {
          entry: ['terminateAll', log('info', 'graceful stop: workers finish their requests')],
          on: {
            TERM: { actions: log('info', 'TERM ignored: already stopping gracefully (send INT or QUIT to stop at once)') },
            INT: { target: 'quick' },
            QUIT: { target: 'quick' },
          },
        },
        quick: {
          entry: ['quitAll', log('info', 'quick stop: workers exit at once')],
          on: {
            TERM: { actions: log('info', 'TERM ignored: already stopping quickly') },
            INT: { actions: log('info', 'INT ignored: already stopping quickly') },
            QUIT: { actions: log('info', 'QUIT ignored: already stopping quickly') },
          },
        },
      },
    },
    halted: { type: 'final' },
  },
});

export type MasterMachine = typeof masterMachine;
