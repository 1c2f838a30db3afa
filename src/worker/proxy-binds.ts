/**
 * Which of a worker's binds carry a PROXY protocol header, applied to its one HTTP server: the
 * server's own listen is the first bind, each further bind a relay that hands its connections
 * to the server, marked with its bind's kind.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { standForOnTls, type ProxyReader, type Trusted } from './proxy-protocol.js';

/**
 * Which of the listen targets (in listenTargets' order) carry a PROXY header, and the reader that
 * takes it off their connections.
 */
export interface ProxyBinds {
  binds: boolean[];
  reader: ProxyReader;
  /** --forwarded-allow-ips: also whose X-Forwarded-For the access log believes. */
  trusted: Trusted;
}

/** A relay's connection, and whether its bind carries a PROXY header (the server's own: the first target's). */
const RELAYED = new WeakMap<Socket, boolean>();

/**
 * Every connection first goes past the PROXY header reader when its bind has one; the server's
 * own connection listeners (Node's HTTP or TLS one) take it after; the worker tracks it from the start.
 */
export function readHeadersFirst(server: Server, firstIsProxy: boolean, reader: ProxyReader): void {
  const inner = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const handOn = (socket: Socket) => {
    for (const l of inner) l.call(server, socket);
  };
  server.on('connection', (socket: Socket) => {
    const proxy = RELAYED.get(socket) ?? firstIsProxy;
    if (proxy) reader.read(socket, handOn);
    else handOn(socket);
  });
  // On TLS, the server's TLS socket over the connection stands for the client too.
  if ('addContext' in server) server.prependListener('secureConnection' as 'connection', standForOnTls as (s: Socket) => void);
}

/** A relay's connection is about to be handed to the server: whether its bind has a PROXY header. */
export function markRelayed(socket: Socket, proxy: boolean): void {
  RELAYED.set(socket, proxy);
}
