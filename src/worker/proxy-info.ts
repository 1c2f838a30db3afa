/**
 * What a connection's PROXY protocol header said, for the app: `proxyOf(req.socket)` of the
 * `statefork/worker` export. Kept in a WeakMap on a global symbol, as `draining` is: an app may
 * load its own copy of statefork, and must still see what this worker read. Outside statefork,
 * or on a bind without `proxy:`, it is null.
 */
import type { ProxyDetails } from '../../machines/proxy-details.js';

export interface ProxyInfo {
  version: 1 | 2;
  /** 'local': the balancer's own connection (a health check); the socket's addresses stand. */
  command: 'proxy' | 'local';
  /** The client and the address it connected to, as the balancer saw them; null for LOCAL and UNKNOWN. */
  source: { address: string; port: number | null } | null;
  destination: { address: string; port: number | null } | null;
  /** The balancer's own address: the socket's real peer. */
  peer: { address: string | undefined; port: number | undefined };
  /** The TLVs an app may want (v2): ALPN, authority (SNI), unique id, the client's TLS at the balancer. */
  details: ProxyDetails;
}

const KEY = Symbol.for('statefork.worker.proxy');
type Holder = { [KEY]?: WeakMap<object, ProxyInfo> };
const infos = (): WeakMap<object, ProxyInfo> => ((globalThis as Holder)[KEY] ??= new WeakMap());

/** The PROXY header a connection came with (its socket, or on TLS the TLS socket over it), or null. */
export function proxyOf(socket: object): ProxyInfo | null {
  return infos().get(socket) ?? null;
}

/** The worker runtime: `socket` came with this header. */
export function setProxyInfo(socket: object, info: ProxyInfo): void {
  infos().set(socket, info);
}
