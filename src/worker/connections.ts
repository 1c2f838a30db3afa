/**
 * The kinds of a worker's open connections (machines/protocol.ts's Connections), and how each
 * is ended when a drain reaches its bound. Nothing here runs per request: the kinds are read
 * from the sockets when they are counted (once per heartbeat) or ended (once).
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Connections } from '../../machines/protocol.js';

const UPGRADED = Symbol('statefork.upgraded');

/** A connection as the worker tracks it; its response in progress is Node's own `_httpMessage`. */
export type TrackedSocket = Socket & { _httpMessage?: ServerResponse | null; [UPGRADED]?: 'websocket' | 'other' };

/**
 * Marks the sockets the app takes over on `upgrade`. Only once the app listens for it: with no
 * listener, Node serves an upgrade request as an ordinary one, and a listener of ours would change
 * that.
 */
export function watchUpgrades(server: Server): void {
  const mark = (req: IncomingMessage, socket: TrackedSocket) => {
    socket[UPGRADED] = String(req.headers.upgrade).toLowerCase() === 'websocket' ? 'websocket' : 'other';
  };
  if (server.listenerCount('upgrade') > 0) return void server.prependListener('upgrade', mark);
  server.on('newListener', function added(event: string) {
    if (event !== 'upgrade') return;
    server.off('newListener', added);
    server.prependListener('upgrade', mark);
  });
}

/** A response whose headers are out and whose body is still going (SSE, a chunked stream). */
const isStreaming = (res: ServerResponse | null | undefined): res is ServerResponse => !!res && res.headersSent && !res.writableEnded;

const isEventStream = (res: ServerResponse) =>
  String(res.getHeader('content-type') ?? '')
    .toLowerCase()
    .startsWith('text/event-stream');

export function countConnections(sockets: ReadonlySet<TrackedSocket>): Connections {
  let upgraded = 0;
  let streaming = 0;
  for (const socket of sockets) {
    if (socket[UPGRADED]) upgraded++;
    else if (isStreaming(socket._httpMessage)) streaming++;
  }
  return { open: sockets.size, upgraded, streaming };
}

/** A WebSocket close frame from a server (unmasked): 1001 Going Away, with its reason. */
const GOING_AWAY = (() => {
  const reason = Buffer.from('server restarting');
  return Buffer.concat([Buffer.from([0x88, 2 + reason.length, 0x03, 0xe9]), reason]);
})();

/**
 * Ends one connection cleanly, so its client sees a close and not a reset: a WebSocket gets the
 * close frame (written between the app's frames: libraries write a frame in one go), a
 * Server-Sent Events stream is ended as a complete response (the client reconnects with its
 * Last-Event-ID), anything else gets the end of the TCP stream. A chunked download cut here stays
 * visibly incomplete (no last chunk): its client knows to retry.
 */
export function endConnection(socket: TrackedSocket): void {
  if (socket.destroyed) return;
  const kind = socket[UPGRADED];
  if (kind === 'websocket') return void socket.end(GOING_AWAY);
  const res = socket._httpMessage;
  if (!kind && isStreaming(res) && isEventStream(res)) res.end();
  socket.end();
}
