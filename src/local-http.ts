/**
 * The master's own small HTTP servers (the inspector, the metrics) are for the operator, on
 * loopback by default, so they guard themselves as such a server must:
 *  - DNS rebinding: a web page can make a browser on this machine send requests to 127.0.0.1
 *    under the page's own host name. Only a Host that names this server is answered: on a
 *    loopback address, a loopback name or address; on any other, an IP address, the configured
 *    host, or this machine's name. Anything else gets 421.
 *  - slow and many clients (./connection-limits.ts): short header and idle timeouts, a cap on
 *    slow connections per peer and on connections in all, and a new connection always given its
 *    chance, so a probe is answered while an attacker holds a thousand connections open.
 */
import type http from 'node:http';
import { http as httpModule } from './node-builtins.js';
import net from 'node:net';
import { os } from './node-builtins.js';
import type { Logger } from './log.js';
import { limitConnections, TIMEOUTS } from './connection-limits.js';

const { hostname } = os();

export { MAX_CLIENTS, MAX_SLOW_PER_PEER, shedConnections } from './connection-limits.js';

const isLoopbackIp = (ip: string) => (net.isIPv4(ip) && ip.startsWith('127.')) || ip === '::1' || ip.toLowerCase() === '::ffff:127.0.0.1';

/** The host part of a Host header value (brackets of an IPv6 literal removed), or null. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::\d{1,5})?$/.exec(header.trim());
  return m ? (m[1] ?? m[2]).toLowerCase() : null;
}

/** Whether a request with this Host header is meant for a server bound to `bound`. */
export function hostAllowed(header: string | undefined, bound: string, machine = hostname()): boolean {
  const host = hostOf(header);
  if (host === null) return false;
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if (isLoopbackIp(bound) || bound === 'localhost') return loopbackName || isLoopbackIp(host);
  const me = machine.toLowerCase();
  return net.isIP(host) !== 0 || loopbackName || host === bound.toLowerCase() || host === me || host.startsWith(`${me}.`);
}

/**
 * A server for requests to `bound`, with its guards: a Host check before `handler`, the
 * connection limits, and timeouts for clients that never finish a request. `name` labels what it
 * sheds in the metrics (health, metrics, inspector).
 */
export function createLocalServer(name: string, bound: string, handler: http.RequestListener): http.Server {
  // The timeouts are checked this often (Node's default, 30 s, would let a slow client sit that long).
  const server = httpModule.createServer({ connectionsCheckingInterval: TIMEOUTS.checkMs });
  server.headersTimeout = TIMEOUTS.headersMs;
  server.requestTimeout = TIMEOUTS.requestMs;
  server.keepAliveTimeout = TIMEOUTS.keepAliveMs;
  limitConnections(server, name);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hostAllowed(req.headers.host, bound)) {
      res
        .writeHead(421, { 'content-type': 'text/plain', connection: 'close' })
        .end(`this server answers only to its own address (Host ${JSON.stringify(req.headers.host ?? '')} is not it)\n`);
      return;
    }
    handler(req, res);
  });
  return server;
}

/** How often a hot upgrade's new master tries again for an address the old master still holds. */
export const TAKE_OVER_RETRY_MS = 250;

/** A hot upgrade's new master, taking an address over: where it says so, and what the address is for. */
export interface TakeOver {
  log: Logger;
  /** The log field that carries the address (`health`, `metrics`, `inspector`). */
  field: string;
  /** What the address serves, for people (`the health endpoints`). */
  what: string;
}

export interface LocalListen {
  /** Where the server answers (or will, once the old master lets go of the address). */
  url: string;
  close(): void;
}

/**
 * Listens on host:port. An address in use is an error (`failure`, one line), except for a hot
 * upgrade's new master (`takeOver`): the old master serves that address until it exits, so the
 * new one says so once and tries again every TAKE_OVER_RETRY_MS, in the background; any other
 * error then ends the tries, logged with the one-line failure.
 */
export async function listenLocal(
  server: http.Server,
  host: string,
  port: number,
  opts: { path: string; failure: (e: NodeJS.ErrnoException) => Error; takeOver?: TakeOver | null },
): Promise<LocalListen> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => reject(e);
      server.once('error', onError).listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  const close = () => {
    closed = true;
    if (retry) clearTimeout(retry);
    server.closeAllConnections();
    server.close();
  };
  const urlOf = (address: string, bound: number) => `http://${address.includes(':') ? `[${address}]` : address}:${bound}${opts.path}`;
  try {
    await attempt();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const t = opts.takeOver;
    if (!t || err.code !== 'EADDRINUSE' || port === 0) throw opts.failure(err);
    t.log.info(
      { [t.field]: `${host}:${port}` },
      `hot upgrade: ${host}:${port} (${t.what}) is still the old master's; served here once the old master lets go of it`,
    );
    const again = () => {
      retry = null;
      if (closed) return;
      attempt().catch((failure: unknown) => {
        const later = failure as NodeJS.ErrnoException;
        if (closed) return;
        if (later.code === 'EADDRINUSE') retry = setTimeout(again, TAKE_OVER_RETRY_MS).unref();
        else {
          const failed = opts.failure(later);
          t.log.error({ err: failed }, `${failed.message} (not served by this master)`);
        }
      });
    };
    retry = setTimeout(again, TAKE_OVER_RETRY_MS).unref();
    return { url: urlOf(host, port), close };
  }
  const { address, port: bound } = server.address() as { address: string; port: number };
  return { url: urlOf(address, bound), close };
}
