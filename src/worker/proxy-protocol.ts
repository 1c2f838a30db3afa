/**
 * A worker's side of the PROXY protocol: on a `proxy:` bind, each connection's first bytes are
 * read and parsed (machines/proxy-header.ts) before the HTTP server sees the connection; what
 * follows the header is put back in front of the socket's stream, and the socket then reports
 * the client the header names as its remote address, so the access log, the app
 * (`req.socket.remoteAddress`, Express's `req.ip`, Fastify's `request.ip`) and the hooks see the
 * client. A connection that is not from a trusted peer, sends no header, a bad one, or a slow
 * one is closed and counted, and costs the worker nothing more.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { inCidr, parseCidr, type Cidr } from '../../machines/ip-address.js';
import { parseProxyHeader, type ProxyHeader } from '../../machines/proxy-header.js';
import { proxyDetails } from '../../machines/proxy-details.js';
import { proxyOf, setProxyInfo, type ProxyInfo } from './proxy-info.js';
import { noProxyRejections, type ProxyRejectionReason, type ProxyRejections } from '../../machines/protocol.js';

/** Whether a peer's word about the client is believed. */
export type Trusted = (address: string | undefined) => boolean;

/** Whose word about the client is believed: `*`, or addresses and CIDR ranges (checked by the master). */
export function trustedPeers(entries: readonly string[]): Trusted {
  if (entries.includes('*')) return () => true;
  const ranges = entries.map(parseCidr).filter((c): c is Cidr => c !== null);
  // A unix socket's peer has no address: who may connect is its file's permissions' business.
  return (address) => address === undefined || ranges.some((r) => inCidr(address, r));
}

const FAMILY = { tcp4: 'IPv4', tcp6: 'IPv6' } as const;

/**
 * The socket's remote address, port and family become the client's, as own properties over
 * net.Socket's getters (its peer is asked only when these are read). LOCAL (the balancer's own
 * health check), UNKNOWN and unix-socket clients keep the socket's own.
 */
function standFor(socket: Socket | TLSSocket, info: ProxyInfo): void {
  setProxyInfo(socket, info);
  const s = info.source;
  if (info.command !== 'proxy' || !s || s.port === null) return;
  const family = FAMILY[s.address.includes(':') ? 'tcp6' : 'tcp4'];
  Object.defineProperties(socket, {
    remoteAddress: { value: s.address, configurable: true },
    remotePort: { value: s.port, configurable: true },
    remoteFamily: { value: family, configurable: true },
  });
}

/**
 * A TLS server wraps the connection's socket in a TLS socket of its own: that one stands for the
 * client too. `_parent` is the socket a TLSSocket was made over (Node's field since v0.11).
 */
export function standForOnTls(tlsSocket: TLSSocket): void {
  const parent = (tlsSocket as TLSSocket & { _parent?: Socket })._parent;
  const info = parent ? proxyOf(parent) : null;
  if (info) standFor(tlsSocket, info);
}

export interface ProxyReader {
  /** Reads the header of a connection on a proxy bind, then hands the socket on; or closes it, counted. */
  read(socket: Socket, handOn: (socket: Socket) => void): void;
  /** Counts a PROXY header that came to a bind that expects none. */
  unexpected(): void;
  readonly rejected: ProxyRejections;
}

export function proxyReader(trusted: Trusted, timeoutMs: number): ProxyReader {
  const rejected = noProxyRejections();
  const refuse = (socket: Socket, reason: ProxyRejectionReason) => {
    rejected[reason]++;
    socket.destroy();
  };
  return {
    rejected,
    unexpected: () => void rejected.unexpected++,
    read(socket, handOn) {
      const peer = { address: socket.remoteAddress, port: socket.remotePort };
      if (!trusted(peer.address)) return refuse(socket, 'untrusted');
      let got: Buffer | null = null;
      const done = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('end', onEnd);
      };
      // A peer that resets or closes mid-header costs its own connection only.
      const onError = () => done();
      const onEnd = () => {
        done();
        refuse(socket, got ? 'malformed' : 'missing');
      };
      const timer = setTimeout(() => {
        done();
        refuse(socket, 'timeout');
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        got = got ? Buffer.concat([got, chunk]) : chunk;
        const parsed = parseProxyHeader(got);
        if (parsed.kind === 'incomplete') return;
        done();
        if (parsed.kind === 'rejected') return refuse(socket, parsed.reason);
        const h: ProxyHeader = parsed.header;
        standFor(socket, { version: h.version, command: h.command, source: h.source, destination: h.destination, peer, details: proxyDetails(h.tlvs) });
        // What came after the header is the connection's own: back in front, read again by the
        // HTTP (or TLS) server, which takes the socket now. Paused until then, so that nothing
        // flows to a listener that is not there yet.
        socket.pause();
        if (got.length > h.length) socket.unshift(got.subarray(h.length));
        handOn(socket);
        process.nextTick(() => socket.resume());
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('end', onEnd);
    },
  };
}
