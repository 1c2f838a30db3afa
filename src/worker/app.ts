/**
 * Loads the user's app and turns it into an http.Server that is not listening yet. Three forms
 * are accepted: a request listener `(req, res) => void`, an object with `fetch(Request)`, or an
 * http(s).Server that is not listening.
 */
import http from 'node:http';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EXIT } from '../../machines/exit-codes.js';
import type { Logger } from '../log.js';
import type { FetchApp } from './fetch-listener.js';
import { DEFAULT_HTTP_LIMITS, type AppSpec, type HttpLimits, type WorkerSettings } from '../../machines/worker-settings.js';
import https from 'node:https';
import { readFileSync } from 'node:fs';

export class BootError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

const FORMS = 'export a request listener (req, res) => void, an object with fetch(request), or an http.Server that is not listening';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 8).join(', ')}]`;
  return `a ${typeof value}`;
}

function pick(mod: Record<string, unknown>, spec: AppSpec): { value: unknown; where: string } {
  if (spec.exportName) {
    const fromDefault = (mod.default as Record<string, unknown> | undefined)?.[spec.exportName];
    return { value: mod[spec.exportName] ?? fromDefault, where: `export '${spec.exportName}'` };
  }
  if (mod.default !== undefined) return { value: mod.default, where: 'the default export' };
  return { value: mod.app, where: "export 'app'" };
}

const NO_LIMITS: HttpLimits = DEFAULT_HTTP_LIMITS;

/** Node's server options for the limits; timeouts are checked every second, not every 30 s. */
function serverOptions(limits: HttpLimits): http.ServerOptions {
  return { maxHeaderSize: limits.maxHeaderSize, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1000 };
}

export type TlsFiles = WorkerSettings['tls'];

/** An HTTPS server when TLS is configured (files read now: a new worker reads renewed ones). */
function createServer(options: http.ServerOptions, listener: http.RequestListener, tls: TlsFiles): http.Server {
  if (!tls) return http.createServer(options, listener);
  const secure = { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}) };
  return https.createServer({ ...options, ...secure }, listener) as unknown as http.Server;
}

const isFetchApp = (value: unknown): value is FetchApp => typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function';

/** Turns what the module exported into a server, or says exactly what is wrong. */
/**
 * `fetchListener`: what serves the fetch form; loaded (with its adapter) only by a worker whose
 * app is of that form, see loadApp.
 */
export function toServer(
  value: unknown, where: string, log: Logger, limits: HttpLimits = NO_LIMITS, tls: TlsFiles = null,
  fetchListener?: (app: FetchApp, log: Logger) => http.RequestListener,
): http.Server {
  if (value instanceof net.Server) {
    if (value.listening) throw new BootError(EXIT.APP_LOAD_ERROR, `${where} is a server that is already listening; export it before calling listen(), statefork listens for it`);
    if (tls && !(value instanceof https.Server)) throw new BootError(EXIT.APP_LOAD_ERROR, `${where} is a plain http.Server but --certfile asks for HTTPS; export its request listener instead, or an https.Server with its own certificate`);
    // The app made its own server: its header size stays its own, the timeouts are ours.
    const server = value as http.Server;
    server.headersTimeout = limits.headersTimeoutMs;
    server.requestTimeout = limits.requestTimeoutMs;
    return server;
  }
  if (isFetchApp(value)) {
    if (!fetchListener) throw new Error('the fetch form needs its listener (see loadApp)');
    return createServer(serverOptions(limits), fetchListener(value, log), tls);
  }
  if (typeof value === 'function') return createServer(serverOptions(limits), value as http.RequestListener, tls);
  throw new BootError(EXIT.APP_LOAD_ERROR, `${where} is ${describe(value)}; ${FORMS}`);
}

export async function loadApp(spec: AppSpec, log: Logger, limits?: HttpLimits, tls: TlsFiles = null): Promise<http.Server> {
  if (!existsSync(spec.path)) throw new BootError(EXIT.APP_LOAD_ERROR, `app file ${spec.path} does not exist; check the path given to statefork`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(spec.path).href);
  } catch (e) {
    const err = e as Error;
    log.error({ err }, 'app threw while loading');
    throw new BootError(EXIT.APP_LOAD_ERROR, `${spec.path} threw while loading: ${err?.message ?? String(e)}`);
  }
  const { value, where } = pick(mod, spec);
  // An async factory (e.g. Fastify after ready()) may export a promise of the server.
  const resolved = value instanceof Promise ? await value.catch((e: Error) => {
    throw new BootError(EXIT.APP_LOAD_ERROR, `${where} of ${spec.path} rejected: ${e?.message ?? String(e)}`);
  }) : value;
  const fetchForm = isFetchApp(resolved) ? (await import('./fetch-listener.js')).fetchListener : undefined;
  return toServer(resolved, `${where} of ${spec.path}`, log, limits, tls, fetchForm);
}
