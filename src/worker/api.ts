/**
 * `statefork/worker`: what an app may import about the worker it runs in. Loading it costs
 * nothing and loads nothing of statefork's (no configuration, no master).
 *
 *   import { draining } from 'statefork/worker';
 *   draining.addEventListener('abort', () => wss.clients.forEach((ws) => ws.close(1001, 'going away')));
 *
 * `draining` is an AbortSignal that aborts once, when this worker starts draining (a reload, a
 * recycle, a scale-down, a stop); `draining.reason` says which: 'reload', 'retire', 'recycle',
 * 'scale' or 'stop'. Under plain `node` it never aborts, so the app runs the same without statefork.
 *
 * `proxyOf(req.socket)`: on a `proxy:` bind, what the connection's PROXY header said (its
 * version, the client and destination, the balancer's own address, and v2's TLVs decoded: ALPN,
 * authority, unique id, the client's TLS at the balancer); null elsewhere and under plain `node`.
 */
export { draining } from './drain-signal.js';
export { proxyOf, type ProxyInfo } from './proxy-info.js';
export type { ProxyDetails } from '../../machines/proxy-details.js';
export type { DrainReason } from '../../machines/protocol.js';
