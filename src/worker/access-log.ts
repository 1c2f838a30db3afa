/**
 * The access log, written by each worker: one line per request, in gunicorn's format atoms or as
 * one JSON record. Every line goes out in a single write to a file opened for appending (or to
 * stdout), so lines from several workers never interleave mid-line; USR1 reopens the file. The
 * file is opened without following a link (the master created it and gave it to --user), and a
 * line that cannot be written (a full disk) is counted, never thrown into the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Trusted } from './proxy-protocol.js';
import { createRecordLogger } from '../record-log.js';
import { LogSink } from '../log-sink.js';

export interface Served {
  req: IncomingMessage;
  /** The client, as read when the request came (see clientOf). */
  remote: string | undefined;
  res: ServerResponse;
  startedAt: number; // ms, performance.now()
  endedAt: number;
  bytes: number;
}

/**
 * The client a request is from, for the access log: the connection's peer (the client itself,
 * or the one a PROXY header named), unless that peer is trusted (--forwarded-allow-ips) and says
 * otherwise in X-Forwarded-For. The list is read from its right end, where each trusted proxy
 * appended the peer it saw, to the first address no trusted proxy stands for: entries left of it
 * are the client's own word. Anyone else's X-Forwarded-For is not used.
 */
export function clientOf(req: IncomingMessage, trusted: Trusted): string | undefined {
  let client = req.socket.remoteAddress;
  const header = req.headers['x-forwarded-for'];
  if (header === undefined || !trusted(client)) return client;
  const hops = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    client = hops[i];
    if (!trusted(client)) break;
  }
  return client;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** [26/Nov/2026:17:46:42 +0000], as gunicorn and Apache write it. */
function clf(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const tz = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `[${pad(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()}:${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${tz}]`;
}

// eslint-disable-next-line @typescript-eslint/no-base-to-string -- a header or field as it arrived
const dash = (v: unknown) => (v === undefined || v === null || v === '' ? '-' : String(v));

/** The atoms: h remote address, l '-', u user, t time, r request line, s status, b bytes, f referer, a user agent, D µs, L s, p pid, m method, U path, q query. */
function atom(name: string, s: Served): string {
  const { req, res } = s;
  const header = /^\{([^}]+)\}([io])$/.exec(name);
  if (header) return dash(header[2] === 'i' ? req.headers[header[1].toLowerCase()] : res.getHeader(header[1]));
  const url = req.url ?? '/';
  switch (name) {
    case 'h':
      return dash(s.remote);
    case 'l':
      return '-';
    case 'u':
      return '-';
    case 't':
      return clf(new Date());
    case 'r':
      return `${req.method} ${url} HTTP/${req.httpVersion}`;
    case 's':
      return String(res.statusCode);
    case 'b':
      return s.bytes ? String(s.bytes) : '-';
    case 'B':
      return String(s.bytes);
    case 'f':
      return dash(req.headers.referer);
    case 'a':
      return dash(req.headers['user-agent']);
    case 'D':
      return String(Math.round((s.endedAt - s.startedAt) * 1000));
    case 'L':
      return ((s.endedAt - s.startedAt) / 1000).toFixed(6);
    case 'p':
      return `<${process.pid}>`;
    case 'm':
      return dash(req.method);
    case 'U':
      return url.split('?')[0];
    case 'q':
      return url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    default:
      return `%(${name})s`;
  }
}

export interface AccessLog {
  write(s: Served): void;
  /** Opens the file again (logrotate moved it); throws, keeping the old file, when it cannot. */
  reopen(): void;
  /** Lines that could not be written, since the worker started. */
  failures(): number;
}

/** `onRecovered`: writing works again after `lost` lines could not be written (a full disk). */
export function createAccessLog(target: string, format: string, onRecovered?: (lost: number, code: string) => void): AccessLog {
  const sink = new LogSink(target === '-' ? 1 : target, { label: '--access-log', dash: 'stdout', onRecovered });
  const common = { reopen: () => sink.reopen(), failures: () => sink.failures };
  if (format === 'json') {
    const log = createRecordLogger({ level: 'info', base: { pid: process.pid }, write: (line) => sink.write(line) });
    return {
      ...common,
      write: ({ req, res, remote, startedAt, endedAt, bytes }) =>
        log.info(
          {
            remote,
            method: req.method,
            url: req.url,
            httpVersion: req.httpVersion,
            status: res.statusCode,
            bytes,
            referer: req.headers.referer,
            userAgent: req.headers['user-agent'],
            durationMs: Number((endedAt - startedAt).toFixed(3)),
          },
          'request',
        ),
    };
  }
  return {
    ...common,
    // One write per line: the whole line lands at once.
    write: (s) => sink.write(`${format.replace(/%\(([^)]+)\)s/g, (_, name: string) => atom(name, s))}\n`),
  };
}

/** Counts the body bytes a response sends, and writes its access-log line once it is done. */
export function logWhenDone(accessLog: AccessLog, req: IncomingMessage, res: ServerResponse, startedAt: number, trusted: Trusted): void {
  const remote = clientOf(req, trusted);
  let bytes = 0;
  const count = (chunk: unknown) => {
    if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) bytes += chunk.byteLength;
  };
  const { write, end } = res;
  // HTTP/2's compatibility response ends by writing its last chunk: counted once, in end.
  let ended = false;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (!ended) count(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function' && !ended) count(chunk);
    ended = true;
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  res.once('close', () => accessLog.write({ req, res, remote, startedAt, endedAt: performance.now(), bytes }));
}
