/**
 * The master machine's effects, carried out for real: the host's implementation of the
 * interface the machine declares (machines/master.effects.ts), checked against it by the type
 * checker. Each does what its name says and nothing more; any outcome the machine must know of
 * comes back as an event.
 */
import type { EffectName, MasterEffects } from '../../../machines/master.effects.js';
import { masterMessage } from '../../../machines/protocol.js';
import type { Logger } from '../../log.js';
import type { SocketSet } from '../sockets/socket-set.js';
import type { WorkerProcesses } from '../workers/worker-processes.js';
import type { Upgrader } from '../sockets/upgrade.js';

export interface EffectDeps {
  workers: Pick<WorkerProcesses, 'spawn' | 'signal'>;
  sockets: Pick<SocketSet, 'close'>;
  log: Logger;
  reopenLogs(): void;
  upgrade: Pick<Upgrader, 'start' | 'tellOldMaster' | 'claimPidfile'>;
}

/**
 * An effect that throws would stop the master actor (XState stops an actor whose action throws),
 * leaving workers unsupervised: failures are logged and the machine carries on.
 */
function guarded(log: Logger, effects: MasterEffects): MasterEffects {
  const wrapped = { ...effects };
  for (const name of Object.keys(effects) as EffectName[]) {
    const fn = effects[name] as (params: unknown) => void;
    (wrapped[name] as (params: unknown) => void) = (params) => {
      try {
        fn(params);
      } catch (e) {
        log.error({ effect: name, err: e }, `effect ${name} failed`);
      }
    };
  }
  return wrapped;
}

export function masterEffects(deps: EffectDeps): MasterEffects {
  const effects: MasterEffects = {
    spawnWorker: ({ id, generation, yieldCpu }) => deps.workers.spawn(id, generation, yieldCpu),
    signalWorker: ({ id, workerPid, signal, socketsHeld, drain }) => {
      deps.log.debug({ id, workerPid, signal, ...(drain ? { drainReason: drain.reason } : {}) }, 'signalling worker');
      deps.workers.signal(id, signal, drain ? masterMessage.drain(drain.reason, drain.graceMs, socketsHeld) : undefined);
    },
    closeListeners: ({ unlink }) => {
      deps.sockets.close(unlink);
      deps.log.info('listening sockets closed: no new connections');
    },
    startUpgrade: () => deps.upgrade.start(),
    tellOldMaster: () => deps.upgrade.tellOldMaster(),
    claimPidfile: () => deps.upgrade.claimPidfile(),
    reopenLogs: () => {
      deps.reopenLogs();
      deps.log.info('log files reopened');
    },
    log: ({ level, msg, ...fields }) => deps.log[level](fields, msg),
  };
  return guarded(deps.log, effects);
}
