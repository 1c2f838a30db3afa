/**
 * The master machine's effects, carried out for real: the implementations handed to
 * `masterMachine.provide()`. Each does what its name says and nothing more; any outcome the
 * machine must know of comes back as an event.
 */
import type { MasterSettings } from '../../machines/master.context.js';
import type { LogParams } from '../../machines/master.plan.js';
import type { WorkerKillSignal } from '../../machines/signals.js';
import { masterMessage } from '../../machines/protocol.js';
import type { Logger } from '../log.js';
import type { Listener } from './sockets.js';
import type { WorkerProcesses } from './worker-processes.js';

export type ConfigOutcome = { type: 'CONFIG_LOADED'; settings: MasterSettings } | { type: 'CONFIG_FAILED'; reason: string };

export interface EffectDeps {
  workers: WorkerProcesses;
  listeners: Listener[];
  /** --reuse-port: workers have listening sockets of their own, which a retiring one must sweep. */
  workersOwnSockets?: boolean;
  log: Logger;
  reopenLogs(): void;
  /** Re-reads the configuration; rejects with a one-line message when it cannot. */
  reloadConfig(): Promise<MasterSettings>;
  send(event: ConfigOutcome): void;
  /** Hot upgrade: start the new master (its outcome comes back as events), tell the old one, take over its pidfile. */
  startUpgrade(): void;
  tellOldMaster(): void;
  claimPidfile(): void;
}

/**
 * An effect that throws would stop the master actor (XState stops an actor whose action throws),
 * leaving workers unsupervised: failures are logged and the machine carries on.
 */
function guarded<A extends unknown[]>(log: Logger, name: string, fn: (...args: A) => void) {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      log.error({ effect: name, err: e }, `effect ${name} failed`);
    }
  };
}

export function masterEffects(deps: EffectDeps) {
  // Until the listeners close (a stop), the master holds the sockets: a worker it TERMs is
  // being retired while others accept, and is told so (see masterMessage.socketsHeld).
  let holdingSockets = !deps.workersOwnSockets;
  const effects = {
    spawnWorker: (_: unknown, { id, generation, yieldCpu }: { id: number; generation: number; yieldCpu: boolean }) => deps.workers.spawn(id, generation, yieldCpu),
    signalWorker: (_: unknown, { id, workerPid, signal }: { id: number; workerPid: number | null; signal: WorkerKillSignal }) => {
      deps.log.debug({ id, workerPid, signal }, 'signalling worker');
      deps.workers.signal(id, signal, signal === 'SIGTERM' && holdingSockets ? masterMessage.socketsHeld() : undefined);
    },
    closeListeners: (_: unknown, { unlink }: { unlink: boolean }) => {
      holdingSockets = false;
      for (const l of deps.listeners) l.close(unlink);
      deps.log.info('listening sockets closed: no new connections');
    },
    startUpgrade: () => deps.startUpgrade(),
    tellOldMaster: () => deps.tellOldMaster(),
    claimPidfile: () => deps.claimPidfile(),
    reopenLogs: () => {
      deps.reopenLogs();
      deps.log.info('log files reopened');
    },
    /** Asynchronous (a JS config file is imported): the master keeps handling events meanwhile. */
    loadConfig: () => {
      deps.reloadConfig().then(
        (settings) => deps.send({ type: 'CONFIG_LOADED', settings }),
        (e: Error) => {
          deps.log.error({ reason: e.message }, `configuration failed to load: ${e.message}`);
          deps.send({ type: 'CONFIG_FAILED', reason: e.message });
        },
      );
    },
    log: (_: unknown, { level, msg, ...fields }: LogParams) => deps.log[level](fields, msg),
  };
  return Object.fromEntries(Object.entries(effects).map(([name, fn]) => [name, guarded(deps.log, name, fn as (...a: unknown[]) => void)])) as typeof effects;
}
