/**
 * Entry point of a worker process, spawned by the master with its settings in the environment.
 * Heavy modules load only after a guard is in place: a worker whose master dies while it is still
 * starting must not linger (no orphans, even under load when Node takes a while to start).
 */
import { EXIT } from '../../machines/exit-codes.js';
import { ENV, WORKER_FD } from '../../machines/protocol.js';
import type { WorkerSettings } from '../../machines/worker-settings.js';
import { openChannel } from './channel.js';

const raw = process.env[ENV.worker];
if (!raw) {
  process.stderr.write(`statefork: error: this is a statefork worker; it is started by the master (statefork ./app.js), not by hand\n`);
  process.exit(EXIT.USAGE);
}
const settings = JSON.parse(raw) as WorkerSettings;
delete process.env[ENV.worker];
if (process.argv[2]) process.title = process.argv[2];

const orphanedEarly = () => process.exit(EXIT.OK);
if (process.ppid !== settings.masterPid) orphanedEarly();
const channel = openChannel(WORKER_FD.channel);
channel.onGone(orphanedEarly);

const [{ workerLogging }, { runWorker }] = await Promise.all([import('./logging.js'), import('./runtime.js')]);
channel.offGone(orphanedEarly);
if (!channel.connected || process.ppid !== settings.masterPid) orphanedEarly();

const logging = await workerLogging({
  level: settings.logLevel,
  errorLog: settings.errorLog,
  base: { role: 'worker', pid: process.pid, worker: settings.id },
  ...(settings.logToMaster ? { fd: WORKER_FD.log } : {}),
});
const log = logging.logger;

// A request handler that rejects must not take the worker (and its other requests) down.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection in the app'));
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception: the worker exits and the master replaces it');
  process.exit(1);
});

// Worker hooks live in the configuration file; one that no longer loads leaves the worker without them.
const hooks = settings.configFile
  ? await (await import('../hooks.js')).loadHooks(settings.configFile, (e) => log.error({ err: e }, `hooks not loaded: ${e.message}`))
  : {};

runWorker(settings, logging, channel, hooks);
