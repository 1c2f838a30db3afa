/**
 * The master (arbiter) lifecycle. Every signal, worker exit, IPC message and tick is an event;
 * every decision is a guard or an action here. Effects (spawn, signal, close sockets, log) are
 * declared in master.effects.ts, the configuration's re-read is an invoked actor, and src/master/
 * provides both. The states' tags are what observers read (master.facts.ts).
 *
 *   booting ──all ready──▶ serving.running ◀──done/abandoned── serving.reloading
 *      │                        │  HUP ─────────────────────────────▶│
 *      └── first generation cannot boot, nothing served yet ─▶ stopping.quick
 *   any ── TERM, FAULT ─▶ stopping.graceful ── INT/QUIT ─▶ stopping.quick ─▶ halted
 *
 * Hot upgrade: USR2 starts a new master beside this one (context.upgrade); WINCH then hands the
 * traffic over (serving.handedOver: the workers retire, the sockets stay open), and HUP or the
 * new master's exit takes it back; QUIT there lets the retiring workers finish.
 */
import { initialContext } from './master.context.js';
import { masterSetup } from './master.setup.js';
import { MSG } from './master.messages.js';
import { logEffect } from './master.plan.js';

const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => logEffect(level, msg);

/** Events every live state treats the same way. */
const common = {
  WORKER_SPAWNED: { actions: 'recordSpawn' as const },
  WORKER_FAILED: { actions: 'recordFailure' as const },
  USR1: { actions: ['reopenLogs' as const, 'forwardReopen' as const] },
  WINCH: { actions: log('debug', MSG.winchIgnored) },
  UPGRADE_SPAWNED: { actions: 'recordUpgradeSpawn' as const },
  UPGRADE_READY: { actions: 'noteUpgradeReady' as const },
  UPGRADE_EXIT: { actions: 'noteUpgradeExit' as const },
  PROMOTED: { actions: 'promote' as const },
  WORKER_PROTOCOL_ERROR: { actions: 'dismissWorker' as const },
  // Kept for the observers; the adaptive count is decided only in serving.running.
  LOAD_SAMPLE: { actions: 'noteLoad' as const },
};

/** While the master keeps a worker count (booting, serving): a dismissed worker is replaced at once. */
const replacing = {
  WORKER_PROTOCOL_ERROR: { actions: ['dismissWorker' as const, 'reconcile' as const] },
};

/**
 * Scaling is the same while booting and serving; TTOU never goes below one worker (MIN when
 * adaptive), TTIN never above --max-workers (the adaptive ceiling).
 */
const scaling = {
  TTIN: [{ guard: 'canGrow' as const, actions: ['scaleUp' as const, log('info', MSG.ttin), 'reconcile' as const] }, { actions: log('warn', MSG.ttinAtMax) }],
  TTOU: [
    { guard: 'canShrink' as const, actions: ['scaleDown' as const, log('info', MSG.ttou), 'reconcile' as const] },
    { actions: log('warn', MSG.ttouAtOne) },
  ],
};

const stops = {
  TERM: { target: '#master.stopping.graceful' },
  INT: { target: '#master.stopping.quick' },
  QUIT: { target: '#master.stopping.quick' },
  // The master itself is in trouble: the workers are stopped gracefully, nothing is dropped.
  FAULT: { target: '#master.stopping.graceful', actions: 'noteFault' as const },
};

export const masterMachine = masterSetup.createMachine({
  id: 'master',
  context: ({ input }) => initialContext(input),
  initial: 'booting',
  output: ({ context }) => ({ exitCode: context.exitCode, reason: context.reason }),
  states: {
    booting: {
      tags: 'booting',
      entry: 'reconcile',
      always: { guard: 'allReady', target: 'serving', actions: [log('info', MSG.ready), 'announceReady'] },
      on: {
        ...common,
        ...replacing,
        ...scaling,
        ...stops,
        // A deploy's HUP that races the first boot is not lost: it runs once the site serves.
        HUP: { actions: ['queueReload', log('info', MSG.hupWhileBooting)] },
        USR2: { actions: log('warn', MSG.usr2WhileBooting) },
        WORKER_READY: { actions: 'markReady' },
        WORKER_RECYCLE: { actions: ['markRecycling', 'reconcile'] },
        TICK: { actions: ['watchWorkers', 'reconcile'] },
        // gunicorn halts on any boot failure; we do only while nothing has served yet. Once a
        // worker serves, a sibling that cannot boot is a later generation's failure: backoff.
        WORKER_EXIT: [
          { guard: 'appCannotLoadAtStart', target: 'stopping.quick', actions: ['haltOnBootFailure', 'noteExit'] },
          { guard: 'workerCannotBootAtStart', target: 'stopping.quick', actions: ['haltOnBootFailure', 'noteExit'] },
          { guard: 'siblingCannotBoot', target: 'serving', actions: ['noteExit', log('warn', MSG.siblingCannotBoot), 'reconcile'] },
          { actions: ['noteExit', 'reconcile'] },
        ],
      },
    },
    serving: {
      tags: 'serving',
      initial: 'running',
      on: {
        ...common,
        ...replacing,
        ...scaling,
        ...stops,
        WORKER_READY: { actions: ['markReady', 'reconcile'] },
        WORKER_RECYCLE: { actions: ['markRecycling', 'reconcile'] },
        TICK: { actions: ['watchWorkers', 'reconcile'] },
        // After start-up a boot failure never halts: it is logged and retried with backoff.
        WORKER_EXIT: { actions: ['noteExit', 'reconcile'] },
        USR2: [
          { guard: 'upgradeAllowed', actions: 'beginUpgrade' },
          { guard: 'upgradeRunning', actions: log('warn', MSG.usr2Pending) },
          { actions: log('warn', MSG.usr2Unpromoted) },
        ],
        // --upgrade-auto: the new master serves, so this one stops as if it got TERM.
        UPGRADE_READY: [{ guard: 'upgradeAuto', target: '#master.stopping.graceful', actions: 'noteUpgradeReady' }, { actions: 'noteUpgradeReady' }],
      },
      states: {
        running: {
          // A HUP that came during a reload starts the next one as soon as that one is over.
          always: { guard: 'reloadQueued', target: 'reloading', actions: ['dequeueReload', log('info', MSG.queuedReloadStarts)] },
          on: {
            HUP: { target: 'reloading', actions: log('info', MSG.hup) },
            WINCH: { guard: 'upgradeRunning', target: 'handedOver', actions: log('info', MSG.winchHandOver) },
            // --workers MIN:MAX (master.scaler.ts): one more worker, the ceiling said once, or fewer.
            LOAD_SAMPLE: [
              { guard: 'loadNeedsWorker', actions: ['addWorkerForLoad', 'reconcile'] },
              { guard: 'loadAtCeiling', actions: 'logCeiling' },
              { guard: 'loadAllowsFewer', actions: ['retireForLoad', 'reconcile'] },
              { actions: 'countLoad' },
            ],
          },
        },
        /**
         * WINCH while a new master runs: this master's workers retire and its sockets stay open
         * (the new master's workers accept on them), so the upgrade can still be rolled back.
         */
        handedOver: {
          tags: 'handed-over',
          entry: 'handOver',
          on: {
            HUP: { target: 'running', actions: [log('info', MSG.handedOverRollback), 'reconcile'] },
            UPGRADE_EXIT: { target: 'running', actions: ['noteUpgradeExit', log('error', MSG.upgradeRestored), 'reconcile'] },
            // The workers are already draining: a quick stop would cut requests short for nothing.
            INT: { target: '#master.stopping.graceful', actions: log('info', MSG.handedOverStop) },
            QUIT: { target: '#master.stopping.graceful', actions: log('info', MSG.handedOverStop) },
            TTIN: { actions: log('warn', `TTIN ${MSG.handedOverScale}`) },
            TTOU: { actions: log('warn', `TTOU ${MSG.handedOverScale}`) },
            // Every worker was told to go: nothing is replaced until the upgrade is rolled back.
            WORKER_PROTOCOL_ERROR: { actions: 'dismissWorker' },
            WORKER_READY: {},
            WORKER_RECYCLE: {},
            TICK: { actions: 'watchWorkers' },
            WORKER_EXIT: { actions: 'noteExit' },
          },
        },
        reloading: {
          tags: 'reloading',
          initial: 'configuring',
          // One generation boots at a time: a burst of HUPs cannot become a storm of processes.
          on: { HUP: { actions: ['queueReload', log('info', MSG.hupQueued)] } },
          states: {
            configuring: {
              // The re-read runs as an actor of this state: its outcome comes back as an event.
              invoke: { src: 'loadConfig' },
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
      tags: 'stopping',
      always: { guard: 'noWorkersLeft', target: 'halted' },
      initial: 'graceful',
      on: {
        ...common,
        // Every worker was told to go (or is about to be, after --drain-delay): a late
        // WORKER_READY or WORKER_RECYCLE changes nothing and is ignored.
        WORKER_EXIT: { actions: 'noteExit' },
        TICK: { actions: 'watchWorkers' },
        HUP: { actions: log('warn', MSG.hupStopping) },
        USR2: { actions: log('warn', MSG.usr2Stopping) },
        FAULT: { actions: 'noteFault' },
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
    halted: { type: 'final', tags: 'halted' },
  },
});

export type MasterMachine = typeof masterMachine;
