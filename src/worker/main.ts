/**
 * Entry point of a worker process, spawned by the master with its settings in the environment.
 * Heavy modules load only after a guard is in place: a worker whose master dies while it is still
 * starting must not linger (no orphans, even under load when Node takes a while to start).
 */
import { EXIT } from '../../machines/exit-codes.js';
import { IPC_FD, LOG_FD, WORKER_ENV, type WorkerSettings } from './settings.js';
import { openChannel } from './channel.js';

const raw = process.env[WORKER_ENV];
if (!raw) {
  process.stderr.write(`statefork: error: this is a statefork worker; it is started by the master (statefork ./app.js), not by hand\n`);
  process.exit(EXIT.USAGE);
}
const settings = JSON.parse(raw) as WorkerSettings;
delete process.env[WORKER_ENV];
if (process.argv[2]) process.title = process.argv[2];

const orphanedEarly = () => process.exit(EXIT.OK);
if (process.ppid !== settings.masterPid) orphanedEarly();
const channel = openChannel(IPC_FD);
channel.onGone(orphanedEarly);

const [{ createLogger }, { runWorker }] = await Promise.all([import('../log.js'), import('./runtime.js')]);
channel.offGone(orphanedEarly);
if (!channel.connected || process.ppid !== settings.masterPid) orphanedEarly();

const logging = createLogger({
  level: settings.logLevel, errorLog: settings.errorLog, base: { role: 'worker', pid: process.pid, worker: settings.id },
  ...(settings.logToMaster ? { fd: LOG_FD } : {}),
});
const log = logging.logger;

// A request handler that rejects must not take the worker (and its other requests) down.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection in the app'));
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception: the worker exits and the master replaces it');
  process.exit(1);
});

// Worker hooks live in the configuration file; one that no longer loads leaves the worker without them.
let hooks = {};
if (settings.configFile) {
  const { loadConfigFile } = await import('../config/file.js');
  hooks = await loadConfigFile(settings.configFile).catch((e: Error) => {
    log.error({ err: e }, `hooks not loaded: ${e.message}`);
    return {};
  });
}

runWorker(settings, logging, channel, hooks);
