/**
 * How the master's own HTTP servers (health, metrics, inspector) hold against slow and many
 * clients. A probe must be answered while someone holds connections open and sends a header line
 * now and then (slowloris): a plain cap on connections would turn the probe away instead.
 *  - Each connection is tracked: which peer, since when, whether a request is in progress.
 *  - At most MAX_PER_PEER from one address and MAX_CLIENTS in all. A new connection over either
 *    cap closes the oldest connection, of that peer or of all, that has no request in progress
 *    (one still sending its headers, or idle between requests), so new clients are served before
 *    those that send nothing; when every one has a request in progress, the new one is closed.
 *  - Short timeouts end what the caps leave: the headers within headersMs, the whole request
 *    within requestMs, an idle keep-alive connection after keepAliveMs.
 * Every connection closed this way is counted by server, for the metrics.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export const MAX_CLIENTS = 128;
export const MAX_PER_PEER = 32;
export const TIMEOUTS = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000, checkMs: 1_000 };

/** Connections closed by the caps, by server name, since the start. */
export const shedConnections: Record<string, number> = {};

interface Tracked {
  socket: Socket;
  peer: string;
  /** Requests in progress on it (keep-alive: one at a time, but counted, never assumed). */
  busy: number;
}

export function limitConnections(server: http.Server, name: string): void {
  shedConnections[name] ??= 0;
  // Oldest first: a Map keeps insertion order.
  const open = new Map<Socket, Tracked>();
  const byPeer = new Map<string, number>();
  const shed = (socket: Socket) => {
    shedConnections[name]++;
    socket.destroy();
  };
  const oldestIdle = (peer: string | null): Tracked | undefined => {
    for (const t of open.values()) if (t.busy === 0 && (peer === null || t.peer === peer)) return t;
    return undefined;
  };
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    const fromPeer = byPeer.get(peer) ?? 0;
    const over = fromPeer >= MAX_PER_PEER ? peer : open.size >= MAX_CLIENTS ? null : undefined;
    if (over !== undefined) {
      const victim = oldestIdle(over);
      if (!victim) return shed(socket);
      shed(victim.socket);
      forget(victim.socket);
    }
    open.set(socket, { socket, peer, busy: 0 });
    byPeer.set(peer, (byPeer.get(peer) ?? 0) + 1);
    socket.once('close', () => forget(socket));
  });
  function forget(socket: Socket): void {
    const t = open.get(socket);
    if (!t) return;
    open.delete(socket);
    const left = (byPeer.get(t.peer) ?? 1) - 1;
    if (left > 0) byPeer.set(t.peer, left);
    else byPeer.delete(t.peer);
  }
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = open.get(req.socket);
    if (!t) return;
    t.busy++;
    res.once('close', () => { t.busy--; });
  });
}
