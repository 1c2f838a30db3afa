/**
 * The master's sockets at start: the old master's in a hot upgrade, systemd's when it passed
 * some, else --bind; with --reuse-port
 * the TCP addresses are left for the workers to bind. The unix sockets the workers listen on
 * are handed to --user.
 */
import type { Config } from '../config/options.js';
import type { Logger } from '../log.js';
import { handOverSockets } from './preflight.js';
import { adoptAll, bindAll, splitBinds, type Listener } from './sockets.js';
import { socketActivation } from './systemd.js';
import { inheritedSockets } from './upgrade.js';

/** `upgradeFrom`: this is the new master of that old master's hot upgrade (see oldMasterPid). */
export async function acquireSockets(config: Config, log: Logger, upgradeFrom: number | null): Promise<{ listeners: Listener[]; workerBinds: Array<{ host: string; port: number }> }> {
  // Sockets from systemd, when it started us with some, stand in for --bind.
  const activation = socketActivation(process.env, process.pid);
  if (activation) log.info({ sockets: activation.names }, `systemd socket activation: serving on the ${activation.binds.length} socket(s) systemd passed, instead of --bind`);
  // --reuse-port: the TCP binds are the workers' own; the master binds the rest.
  const { masterBinds, workerBinds } = splitBinds(activation?.binds ?? config.binds, config.reusePort && !activation);
  for (const b of workerBinds) log.info({ bind: `${b.host}:${b.port}` }, `every worker binds ${b.host}:${b.port} itself (--reuse-port)`);
  // A hot upgrade's new master serves on the old master's sockets: binding again would fail.
  const inherited = inheritedSockets(process.env, upgradeFrom);
  if (inherited) log.info({ sockets: inherited.map((s) => s.spec.text) }, `hot upgrade: serving on the ${inherited.length} socket(s) the old master passed`);
  const listeners: Listener[] = inherited ? adoptAll(inherited) : await bindAll(masterBinds, log);
  try {
    handOverSockets(config.workerIdentity, listeners.flatMap((l) => (l.spec.kind === 'unix' ? [l.spec.path] : [])));
  } catch (e) {
    for (const l of listeners) l.close();
    throw e;
  }
  if (config.workerIdentity) log.info({ uid: config.workerIdentity.uid, gid: config.workerIdentity.gid }, `workers run as ${config.workerIdentity.text}`);
  return { listeners, workerBinds };
}
