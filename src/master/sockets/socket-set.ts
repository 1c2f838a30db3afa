/**
 * The master's sockets as one set, from one of four sources, chosen here and nowhere else:
 *   upgrade  the old master's, inherited as fds by the new master of a hot upgrade;
 *   systemd  the sockets systemd passed (socket activation), standing in for --bind;
 *   bind     --bind, bound by the master;
 * and --reuse-port, with either of the last two: the TCP addresses are left for every worker to
 * bind itself. The set tells a worker what it needs (the fds it inherits, the addresses it
 * binds) and where clients connect, and closes the master's copies once.
 */
import type { Config } from '../../config/options.js';
import type { Logger } from '../../log.js';
import { giveSocketsTo } from '../process/preflight.js';
import { adoptAll, bindAll, splitBinds, type Listener } from './sockets.js';
import { socketActivation } from './systemd.js';
import { inheritedSockets } from './upgrade.js';

export type SocketSource = 'upgrade' | 'systemd' | 'bind';

export interface HostPort {
  host: string;
  port: number;
  /** Its connections start with a PROXY protocol header (`--bind proxy:...`). */
  proxy?: boolean;
}

export interface SocketSet {
  source: SocketSource;
  /** The master's own sockets, in --bind order: the workers inherit them. */
  listeners: Listener[];
  /**
   * What a worker is given: the fds of `listeners`, the --reuse-port addresses it binds itself,
   * the port of the first TCP bind (its PORT, unless the user set one), and which of them, in
   * that order, carry a PROXY protocol header.
   */
  forWorker: { fds: number[]; reuseBinds: HostPort[]; port?: number; proxy: boolean[] };
  /** The workers bind addresses themselves (--reuse-port): the master holds none of those. */
  workersBind: boolean;
  /** Where clients connect, one per bind. */
  urls: string[];
  /** Closes the master's copies; `unlink` false keeps the unix socket files (another master shares them). */
  close(unlink: boolean): void;
}

const urlOf = ({ host, port }: HostPort) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The port of the first bind that has one (a unix socket has none). */
function firstPort(urls: string[]): number | undefined {
  const tcp = urls.find((u) => u.startsWith('http://'));
  return tcp ? Number(new URL(tcp).port) || undefined : undefined;
}

function socketSet(source: SocketSource, listeners: Listener[], reuseBinds: HostPort[]): SocketSet {
  const urls = [...listeners.map((l) => l.url), ...reuseBinds.map(urlOf)];
  return {
    source,
    listeners,
    forWorker: {
      fds: listeners.map((l) => l.fd),
      reuseBinds: reuseBinds.map(({ host, port }) => ({ host, port })),
      port: firstPort(urls),
      proxy: [...listeners.map((l) => l.spec.proxy), ...reuseBinds.map((b) => b.proxy === true)],
    },
    workersBind: reuseBinds.length > 0,
    urls,
    close: (unlink) => {
      for (const l of listeners) l.close(unlink);
    },
  };
}

/** `upgradeFrom`: this is the new master of that old master's hot upgrade (see oldMasterPid). */
export async function acquireSocketSet(config: Config, log: Logger, upgradeFrom: number | null): Promise<SocketSet> {
  const activation = socketActivation(process.env, process.pid);
  if (activation)
    log.info({ sockets: activation.names }, `systemd socket activation: serving on the ${activation.binds.length} socket(s) systemd passed, instead of --bind`);
  const { masterBinds, workerBinds } = splitBinds(activation?.binds ?? config.binds, config.reusePort && !activation);
  for (const b of workerBinds) log.info({ bind: `${b.host}:${b.port}` }, `every worker binds ${b.host}:${b.port} itself (--reuse-port)`);
  // A hot upgrade's new master serves on the old master's sockets: binding again would fail.
  const inherited = inheritedSockets(process.env, upgradeFrom);
  if (inherited) log.info({ sockets: inherited.map((s) => s.spec.text) }, `hot upgrade: serving on the ${inherited.length} socket(s) the old master passed`);
  const listeners: Listener[] = inherited ? adoptAll(inherited) : await bindAll(masterBinds, log);
  const set = socketSet(inherited ? 'upgrade' : activation ? 'systemd' : 'bind', listeners, workerBinds);
  try {
    // --user: the workers listen on the unix sockets, so those files become theirs.
    giveSocketsTo(
      config.workerIdentity,
      listeners.flatMap((l) => (l.spec.kind === 'unix' ? [l.spec.path] : [])),
    );
  } catch (e) {
    set.close(true);
    throw e;
  }
  if (config.workerIdentity) log.info({ uid: config.workerIdentity.uid, gid: config.workerIdentity.gid }, `workers run as ${config.workerIdentity.text}`);
  logTrust(config, set, log);
  return set;
}

/** One line per socket, where clients connect. */
export function logListening(set: SocketSet, tls: boolean, log: Logger): void {
  for (const l of set.listeners) {
    const url = tls ? l.url.replace(/^http:/, 'https:') : l.url;
    log.info({ url, bind: l.spec.text }, `listening at ${url}`);
  }
}

/** Which binds read a PROXY header and whom they believe; `*` is said loudly, once. */
function logTrust(config: Config, set: SocketSet, log: Logger): void {
  const proxied = set.urls.filter((_, i) => set.forWorker.proxy[i]);
  const trusted = config.forwardedAllowIps.join(',');
  if (proxied.length)
    log.info({ sockets: proxied, forwardedAllowIps: trusted }, `PROXY protocol on ${proxied.join(', ')}: a header is believed from ${trusted} only`);
  if (config.forwardedAllowIps.includes('*')) {
    log.warn(
      { forwardedAllowIps: '*' },
      "--forwarded-allow-ips *: every peer is believed about the client (its PROXY header, its X-Forwarded-For); anyone who can reach the sockets can pose as any client. List the load balancers' addresses instead",
    );
  }
}
