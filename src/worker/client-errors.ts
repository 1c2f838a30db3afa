/**
 * Counts a PROXY protocol header sent to a bind that expects none (a balancer set up for the
 * PROXY protocol in front of a plain `--bind`): Node's HTTP parser rejects its first line, and the
 * bytes it rejected come with the error. Listening for `clientError` takes Node's own answer away,
 * so the listener gives the same one (its status line for the error, then the socket closed),
 * unless the app listens for `clientError` too: then the app answers, as it would without
 * statefork. Nothing here runs unless a client sends what is not HTTP.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { looksLikeProxyHeader } from '../../machines/proxy-header.js';

/** What Node answers each parse error with (lib/_http_server.js, socketOnError), byte for byte. */
const ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};
const answer = (code: string | undefined) => Buffer.from(`HTTP/1.1 ${ANSWERS[code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`, 'latin1');

type ClientSocket = Socket & { _httpMessage?: { _headerSent?: boolean } | null };

export function countProxyHeadersOnPlainBinds(server: Server, counted: () => void): void {
  const onClientError = (err: Error & { code?: string; rawPacket?: Buffer }, socket: ClientSocket) => {
    if (err.rawPacket && looksLikeProxyHeader(err.rawPacket)) counted();
    if (server.listenerCount('clientError') > 1) return;
    if (socket.writable && (!socket._httpMessage || !socket._httpMessage._headerSent)) socket.write(answer(err.code));
    socket.destroy(err);
  };
  server.prependListener('clientError', onClientError);
}
