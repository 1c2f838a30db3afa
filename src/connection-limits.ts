/**
 * How the master's own HTTP servers (health, metrics, inspector) hold against slow and many
 * clients. A probe must be answered while someone holds connections open and sends a header line
 * now and then (slowloris), even from the same address: a plain cap on connections would turn the
 * probe away instead, since the attacker's connections fill it first.
 *  - A connection is *slow* once it has been open SLOW_AFTER_MS without a request in progress
 *    (still sending its headers, or idle between requests). A client that means it sends its
 *    request at once, so a new connection is always given its chance.
 *  - At most MAX_SLOW_PER_PEER slow connections from one address: when one more turns slow (seen
 *    as that address connects again), its oldest slow ones are closed.
 *  - At most MAX_CLIENTS open in all: over it, the oldest connection without a request in
 *    progress is closed, or the new one when every connection has a request in progress.
 *  - Short timeouts end what the caps leave: the headers within headersMs, the whole request
 *    within requestMs, an idle keep-alive connection after keepAliveMs.
 * Every connection closed by a cap is counted by server, for the metrics.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export const MAX_CLIENTS = 1024;
export const MAX_SLOW_PER_PEER = 32;
export const SLOW_AFTER_MS = 1_000;
export const TIMEOUTS = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkMs: 1_000 };

/** Connections closed by the caps, by server name, since the start. */
export const shedConnections: Record<string, number> = {};

interface Tracked {
  socket: Socket;
  peer: string;
  openedAt: number;
  /** Requests in progress on it (keep-alive: one at a time, but counted, never assumed). */
  busy: number;
}

export function limitConnections(server: http.Server, name: string, now: () => number = () => performance.now()): void {
  shedConnections[name] ??= 0;
  // Oldest first, in all and by peer: a Map and a Set keep insertion order.
  const open = new Map<Socket, Tracked>();
  const byPeer = new Map<string, Set<Tracked>>();
  const shed = (socket: Socket) => {
    shedConnections[name]++;
    forget(socket);
    socket.destroy();
  };
  const oldestIdle = (): Tracked | undefined => {
    for (const t of open.values()) if (t.busy === 0) return t;
    return undefined;
  };
  /** Closes the peer's oldest slow connections beyond the cap; they are the first ones, by age. */
  const trimPeer = (peer: Set<Tracked>) => {
    const slowBefore = now() - SLOW_AFTER_MS;
    const slow: Tracked[] = [];
    for (const t of peer) {
      if (t.openedAt > slowBefore) break;
      if (t.busy === 0) slow.push(t);
    }
    for (const t of slow.slice(0, Math.max(0, slow.length - MAX_SLOW_PER_PEER))) shed(t.socket);
  };
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (open.size >= MAX_CLIENTS) {
      const idle = oldestIdle();
      if (!idle) return void shed(socket);
      shed(idle.socket);
    }
    const t: Tracked = { socket, peer: address, openedAt: now(), busy: 0 };
    open.set(socket, t);
    const peer = byPeer.get(address) ?? new Set<Tracked>();
    byPeer.set(address, peer.add(t));
    trimPeer(peer);
    socket.once('close', () => forget(socket));
  });
  function forget(socket: Socket): void {
    const t = open.get(socket);
    if (!t) return;
    open.delete(socket);
    const peer = byPeer.get(t.peer);
    peer?.delete(t);
    if (peer?.size === 0) byPeer.delete(t.peer);
  }
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = open.get(req.socket);
    if (!t) return;
    t.busy++;
    // Idle again after a request: it is slow from now on only after SLOW_AFTER_MS more.
    res.once('close', () => {
      t.busy--;
      t.openedAt = now();
      const peer = byPeer.get(t.peer);
      // Kept in age order: it moves to the end, as the youngest.
      if (peer?.delete(t)) peer.add(t);
    });
  });
}
