/**
 * Loading the app, the two ways it can be served: from its export (app.ts), or by capturing the
 * listen() of the first HTTP server it starts itself (listen-capture.ts). The export is looked at
 * once the module has loaded; a listen captured while it loaded, or later, wins over it.
 */
import type http from 'node:http';
import { isHttpsServer } from '../node-builtins.js';
import type net from 'node:net';
import { fs } from '../node-builtins.js';
import { pathToFileURL } from 'node:url';
import { EXIT } from '../../machines/exit-codes.js';
import { WORKER_SIGNALS } from '../../machines/signals.js';
import type { AppSpec, HttpLimits } from '../../machines/worker-settings.js';
import type { Logger } from '../record-log.js';
import { applyLimits, BootError, describe, FORMS, isFetchApp, isServedForm, pick, toServer, type TlsFiles } from './app.js';
import { captureListen, type CapturedListen, type ListenCapture } from './listen-capture.js';
import { guardSignals } from './signal-guard.js';
import { importPeer } from '../optional-peer.js';
import { untilListen, type ListenDeadline } from './pending-work.js';

const { existsSync } = fs;

export interface LoadOptions {
  limits?: HttpLimits;
  tls?: TlsFiles;
  /**
   * Where a captured server is bound (statefork's first socket), and what to do with it just
   * before (the worker starts tracking its connections). Without it (--check-config) a captured
   * listen is held, never bound.
   */
  listen?: { target: net.ListenOptions; attach: (server: http.Server) => void };
  /** When an app that exported nothing must have called listen(); null: as long as it takes. */
  deadline?: ListenDeadline | null;
}

export interface LoadedApp {
  server: http.Server;
  /** Served by capturing the app's own listen (already bound when `listen` was given). */
  captured: CapturedListen | null;
}

function startCapture(spec: AppSpec, log: Logger, options: LoadOptions): ListenCapture {
  const { limits, tls, listen } = options;
  return captureListen({
    accept: (server, asked) => {
      if (tls && !isHttpsServer(server)) {
        throw new BootError(
          EXIT.APP_LOAD_ERROR,
          `${spec.path} starts its own plain HTTP server (listen on ${asked}), which --certfile cannot make HTTPS: terminate TLS in front of statefork and drop --certfile, or export the request listener (statefork then serves it over HTTPS)`,
        );
      }
      if (limits) applyLimits(server, limits);
      listen?.attach(server);
      return listen?.target ?? null;
    },
    passedThrough: (asked) =>
      log.warn(
        { listen: asked },
        `the app starts another server on ${asked}: passed through unchanged, so every worker binds it itself (only its first HTTP server is served on statefork's sockets)`,
      ),
  });
}

export async function loadApp(spec: AppSpec, log: Logger, options: LoadOptions = {}): Promise<LoadedApp> {
  if (!existsSync(spec.path)) throw new BootError(EXIT.APP_LOAD_ERROR, `app file ${spec.path} does not exist; check the path given to statefork`);
  const capture = startCapture(spec, log, options);
  const signals = options.listen
    ? guardSignals(Object.keys(WORKER_SIGNALS), (signal) => {
        log.warn(
          { signal },
          `the app's own ${signal} listener is set aside: in a worker ${signal} is statefork's (it drains or stops the worker); react to \`draining\` from statefork/worker, or use the workerExit hook`,
        );
      })
    : null;
  const captured = (c: CapturedListen): LoadedApp => {
    signals?.takeOver();
    return { server: c.server, captured: c };
  };
  const baseline = process.getActiveResourcesInfo();
  let mod: Record<string, unknown>;
  try {
    // A module may await its own listen at top level (Fastify's `await app.listen()`): the
    // capture answers for it then, the module finishes loading on its own.
    const loaded = await Promise.race([
      import(pathToFileURL(spec.path).href) as Promise<Record<string, unknown>>,
      capture.next.then(
        () => null,
        () => null,
      ),
    ]);
    if (capture.refused) throw capture.refused;
    if (!loaded && capture.captured) return captured(capture.captured);
    mod = loaded ?? {};
  } catch (e) {
    if (e instanceof BootError) throw e;
    const err = e as Error;
    log.error({ err }, 'app threw while loading');
    throw new BootError(EXIT.APP_LOAD_ERROR, `${spec.path} threw while loading: ${err?.message ?? String(e)}`);
  }
  const { value, where } = pick(mod, spec);
  // An async factory (e.g. Fastify after ready()) may export a promise of the server.
  const resolved =
    value instanceof Promise
      ? ((await value.catch((e: unknown) => {
          throw new BootError(EXIT.APP_LOAD_ERROR, `${where} of ${spec.path} rejected: ${(e as Error | null)?.message ?? String(e)}`);
        })) as unknown)
      : value;
  const refused = capture.refused as Error | null;
  if (refused) throw refused;
  if (capture.captured) {
    if (isServedForm(resolved))
      log.warn(`${spec.path} exports a served form and also starts its own server: the server it listens is served, ${where} is not used`);
    return captured(capture.captured);
  }
  if (isServedForm(resolved)) {
    signals?.release();
    const fetchForm = isFetchApp(resolved)
      ? (
          await importPeer(
            '@hono/node-server',
            (m) => new BootError(EXIT.APP_LOAD_ERROR, `${where} of ${spec.path} is a fetch app: ${m}`),
            () => import('./fetch-listener.js'),
          )
        ).fetchListener
      : undefined;
    const server = toServer(resolved, `${where} of ${spec.path}`, log, options.limits, options.tls ?? null, fetchForm);
    capture.serveExported(server);
    return { server, captured: null };
  }
  const nothing = (why: string) => `${where} of ${spec.path} is ${describe(resolved)}; ${FORMS} (${why})`;
  return captured(await untilListen(capture.next, baseline, options.deadline ?? null, nothing, log));
}
