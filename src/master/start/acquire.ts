/**
 * Before any worker: the checks that can fail with one line, then what the master holds for the
 * whole of its life (the sockets, the pidfile, the worker registry, the inspector). A failure
 * after the sockets are bound releases them again: nothing is left behind.
 */
import { logListening, acquireSocketSet, type SocketSet } from '../sockets/socket-set.js';
import { oldMasterPid } from '../sockets/upgrade.js';
import { MasterPidfile } from '../process/pidfile.js';
import { checkWorkerTmpDir, prepareAccessLog } from '../process/preflight.js';
import { closeStrayFds } from '../process/stray-fds.js';
import { systemdNotifier, type Notify } from '../process/notify.js';
import { WorkerProcesses } from '../workers/worker-processes.js';
import { logWorkerCount } from '../workers/load-sample.js';
import { logWatchdogKind } from '../workers/hang-reports.js';
import { openInspection, startInspection, type Inspection } from '../observers/inspection.js';
import type { LogSetup } from '../../log.js';
import type { Begun } from './begin.js';

/** What the master holds once its start has acquired it. */
export interface Held {
  /** The old master's pid, when this one is a hot upgrade's new master. */
  upgradeFrom: number | null;
  sockets: SocketSet;
  pidfile: MasterPidfile;
  workers: WorkerProcesses;
  /** systemd's notify socket, when systemd gave one. */
  notify: Notify | null;
  inspection: Inspection;
  /**
   * Closes the sockets and removes the pidfile. The unix socket files are unlinked only when
   * `unlink`: while an old master runs (not promoted yet), they are its too.
   */
  release(unlink?: boolean): void;
}

/** The mask, onStarting, and every check that can fail with one line. */
export async function prepare({ live, hookMaster }: Begun): Promise<void> {
  const { config } = live;
  // Before anything is created: unix sockets, the pidfile and log files get the mask.
  if (config.umask !== null) process.umask(config.umask);
  await live.hook('onStarting', hookMaster);
  checkWorkerTmpDir(config.workerTmpDir);
  prepareAccessLog(config.accessLog, config.workerIdentity, config.logFileMode);
}

function writePidfile(pidfile: MasterPidfile, logging: LogSetup): void {
  const reused = pidfile.write();
  if (reused)
    logging.logger.warn(
      { pidfile: pidfile.name, stalePid: reused },
      `pidfile ${pidfile.name} named process ${reused}, which is not a statefork master (a stale file, its pid reused): replaced`,
    );
}

/** Before the first worker: nothing the master was not given may reach a worker. */
function closeStrays(sockets: SocketSet, logging: LogSetup): void {
  const strays = closeStrayFds(sockets.listeners.map((l) => l.fd));
  if (strays.length)
    logging.logger.info(
      { fds: strays },
      `closed ${strays.length} inherited file descriptor(s) statefork was not given (${strays.map((s) => s.fd).join(', ')}): workers must not inherit them`,
    );
}

export async function acquire({ live, logging, log, clock, hookMaster }: Begun): Promise<Held> {
  const opened = openInspection(live.config, logging, clock);
  const upgradeFrom = oldMasterPid(process.env);
  const sockets = await acquireSocketSet(live.config, log, upgradeFrom);
  const pidfile = new MasterPidfile(live.config.pidfile, upgradeFrom !== null);
  const release = (unlink = upgradeFrom === null) => {
    sockets.close(unlink);
    pidfile.remove();
  };
  const workers = new WorkerProcesses(() => live.config, sockets.forWorker, log, logging.raw, {
    preFork: (worker) => void live.hook('preFork', hookMaster, worker),
    postFork: (worker) => void live.hook('postFork', hookMaster, worker),
  });
  const notify = systemdNotifier(process.env, log);
  try {
    writePidfile(pidfile, logging);
    closeStrays(sockets, logging);
    process.title = `statefork: master [${live.config.name}]`;
    logListening(sockets, Boolean(live.config.tls), log);
    logWorkerCount(live.config, log);
    logWatchdogKind(live.config.hangStacks && live.config.timeout > 0, log);
    const inspection = await startInspection(live.config, logging, opened, workers.stats, workers.hangs, () => workers.beats(), upgradeFrom !== null);
    return { upgradeFrom, sockets, pidfile, workers, notify, inspection, release };
  } catch (e) {
    release();
    throw e;
  }
}
