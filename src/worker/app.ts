/**
 * Loads the user's app and turns it into an http.Server. Three exported forms are served: a
 * request listener `(req, res) => void`, an object with `fetch(Request)`, or an http(s).Server
 * that is not listening. An app that exports none of them and starts its own server instead is
 * served by capturing that server's listen (listen-capture.ts, app-load.ts).
 */
import type http from 'node:http';
import net from 'node:net';
import { EXIT } from '../../machines/exit-codes.js';
import type { Logger } from '../record-log.js';
import type { FetchApp } from './fetch-listener.js';
import { DEFAULT_HTTP_LIMITS, type AppSpec, type HttpLimits, type WorkerSettings } from '../../machines/worker-settings.js';
import { http as httpModule, http2, https, isHttpsServer } from '../node-builtins.js';
import { fs } from '../node-builtins.js';

const { readFileSync } = fs;

export class BootError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const FORMS =
  'export a request listener (req, res) => void, an object with fetch(request), or an http.Server that is not listening, or call listen() on an HTTP server';

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 8).join(', ')}]`;
  return `a ${typeof value}`;
}

export function pick(mod: Record<string, unknown>, spec: AppSpec): { value: unknown; where: string } {
  if (spec.exportName) {
    const fromDefault = (mod.default as Record<string, unknown> | undefined)?.[spec.exportName];
    return { value: mod[spec.exportName] ?? fromDefault, where: `export '${spec.exportName}'` };
  }
  if (mod.default !== undefined) return { value: mod.default, where: 'the default export' };
  return { value: mod.app, where: "export 'app'" };
}

const NO_LIMITS: HttpLimits = DEFAULT_HTTP_LIMITS;

/** Node's server options for the limits; timeouts are checked every second, not every 30 s. */
const CHECK_EVERY_MS = 1000;
function serverOptions(limits: HttpLimits): http.ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: CHECK_EVERY_MS,
  };
}

export type TlsFiles = WorkerSettings['tls'];

/** An HTTPS server when TLS is configured (files read now: a new worker reads renewed ones). */
function createServer(options: http.ServerOptions, listener: http.RequestListener, tls: TlsFiles): http.Server {
  if (!tls) return httpModule.createServer(options, listener);
  const secure = { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}) };
  // HTTP/2 by ALPN, HTTP/1.1 for the clients that ask for it; the request listener through Node's compatibility API.
  if (tls.http2) return http2().createSecureServer({ ...secure, allowHTTP1: true }, listener as never) as unknown as http.Server;
  return https().createServer({ ...options, ...secure }, listener);
}

export const isFetchApp = (value: unknown): value is FetchApp =>
  typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';

/** A server the app made itself keeps its header size; the timeouts are statefork's. */
export function applyLimits(server: http.Server, limits: HttpLimits): http.Server {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // Read by Node when the server starts listening, as statefork's own servers get it (serverOptions).
  (server as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CHECK_EVERY_MS;
  return server;
}

/** Whether an export is one of the served forms (a promise is looked at once it settles). */
export const isServedForm = (value: unknown): boolean => value instanceof net.Server || isFetchApp(value) || typeof value === 'function';

/** Turns what the module exported into a server, or says exactly what is wrong. */
/**
 * `fetchListener`: what serves the fetch form; loaded (with its adapter) only by a worker whose
 * app is of that form, see loadApp.
 */
export function toServer(
  value: unknown,
  where: string,
  log: Logger,
  limits: HttpLimits = NO_LIMITS,
  tls: TlsFiles = null,
  fetchListener?: (app: FetchApp, log: Logger) => http.RequestListener,
): http.Server {
  if (value instanceof net.Server) {
    if (value.listening)
      throw new BootError(EXIT.APP_LOAD_ERROR, `${where} is a server that is already listening; export it before calling listen(), statefork listens for it`);
    if (tls && !isHttpsServer(value))
      throw new BootError(
        EXIT.APP_LOAD_ERROR,
        `${where} is a plain http.Server but --certfile asks for HTTPS; export its request listener instead, or an https.Server with its own certificate`,
      );
    // An app's own server: any net.Server that answers HTTP (an https.Server is one in Node's API).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return applyLimits(value as http.Server, limits);
  }
  if (isFetchApp(value)) {
    if (!fetchListener) throw new Error('the fetch form needs its listener (see loadApp)');
    return createServer(serverOptions(limits), fetchListener(value, log), tls);
  }
  if (typeof value === 'function') return createServer(serverOptions(limits), value as http.RequestListener, tls);
  throw new BootError(EXIT.APP_LOAD_ERROR, `${where} is ${describe(value)}; ${FORMS}`);
}
