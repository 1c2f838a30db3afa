/**
 * Runs an app that calls `listen()` itself (`http.createServer(h).listen(3000)`, Express
 * `app.listen`, Fastify, Next.js standalone, …) unchanged. The first HTTP server the app starts
 * listening is the one this worker serves: its listen is bound to statefork's first socket
 * instead of what the app asked for, synchronously as the app's own would have been, so
 * `server.address()` right after `listen()`, the `listening` event and the listen callback all
 * behave as if the app's listen had succeeded, on statefork's address. Any further server the
 * app starts is passed through to Node unchanged, with a warning: every worker binds it itself.
 *
 * A patch of `net.Server.prototype.listen`, not the `tracing:net.server.listen` diagnostics
 * channel: both rewrite the bind on Node 20 to 26 (measured, README "Apps that listen
 * themselves"), but only the patch can refuse a listen (a plain server under --certfile) with a
 * boot failure instead of a throw from inside a subscriber.
 */
import type http from 'node:http';
import { http as httpModule, isHttpsServer } from '../node-builtins.js';
import net from 'node:net';

/** What the app asked its server to listen on, in words, for the log ("port 3000", "/tmp/app.sock"). */
export function describeListen(args: unknown[]): string {
  const [first, second] = args;
  const host = typeof second === 'string' ? second : undefined;
  if (typeof first === 'object' && first !== null) {
    const o = first as { port?: unknown; host?: unknown; path?: unknown; fd?: unknown };
    if (typeof o.path === 'string') return o.path;
    if (typeof o.fd === 'number') return `fd ${o.fd}`;
    if (o.port !== undefined) return where(o.port, typeof o.host === 'string' ? o.host : undefined);
    return first instanceof net.Server || 'handle' in o || '_handle' in o ? 'a handle' : 'a random port';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first;
  if (first === undefined || typeof first === 'function' || first === null) return 'a random port';
  return where(first, host);
}

function where(port: unknown, host: string | undefined): string {
  return host ? `${host}:${String(port)}` : `port ${String(port)}`;
}

/** Port 0 and no port at all pick a free port: no two workers can collide on it. */
function picksFreePort(args: unknown[]): boolean {
  const [first] = args;
  if (typeof first === 'object' && first !== null) {
    const o = first as { port?: unknown; path?: unknown; fd?: unknown };
    return o.path === undefined && o.fd === undefined && (o.port === undefined || Number(o.port) === 0);
  }
  return first === undefined || typeof first === 'function' || first === null || (Number(first) === 0 && first !== '');
}

export const isHttpServer = (server: net.Server): server is http.Server => server instanceof httpModule.Server || isHttpsServer(server);

export interface CapturedListen {
  server: http.Server;
  /** What the app asked for, in words (describeListen). */
  asked: string;
}

export interface ListenCapture {
  /** The captured listen, once there is one. */
  readonly captured: CapturedListen | null;
  /** Why the first HTTP server's listen was refused (see CaptureOptions.accept), if it was. */
  readonly refused: Error | null;
  /** Resolves at the first captured listen (rejects when `accept` refused it). */
  readonly next: Promise<CapturedListen>;
  /** The server statefork serves from an export: its listens are statefork's own, passed through quietly. */
  serveExported(server: net.Server): void;
  /** Puts Node's own listen back (the capture is for the life of a worker; tests and one-shot checks end it). */
  restore(): void;
}

export interface CaptureOptions {
  /**
   * Called synchronously with the app's server, before it is bound: throws to refuse it (the
   * boot fails with that error), or returns where to bind it (a listen option: statefork's first
   * socket), or null to hold it unbound (--check-config).
   */
  accept: (server: http.Server, asked: string) => net.ListenOptions | null;
  /** A listen passed through to Node: one line, naming what it binds. */
  passedThrough: (asked: string) => void;
}

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;

const original: Listen = net.Server.prototype.listen as Listen;

/** Installs the capture for this process (a worker, or the --check-config run). */
export function captureListen(options: CaptureOptions): ListenCapture {
  let captured: CapturedListen | null = null;
  let exported: net.Server | null = null;
  let refused: Error | null = null;
  let settle: { ok: (c: CapturedListen) => void; fail: (e: Error) => void };
  const next = new Promise<CapturedListen>((ok, fail) => {
    settle = { ok, fail };
  });
  next.catch(() => {
    /* the boot reads it; a rejection nobody awaits must not crash the worker */
  });

  const listen: Listen = function (this: net.Server, ...args: unknown[]) {
    if (this === captured?.server || this === exported) return original.apply(this, args);
    const asked = describeListen(args);
    if (captured || exported || refused || !isHttpServer(this)) {
      if (!picksFreePort(args)) options.passedThrough(asked);
      return original.apply(this, args);
    }
    // The server the app called listen() on, used inside callbacks that have their own `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    let target: net.ListenOptions | null;
    try {
      target = options.accept(server, asked);
    } catch (e) {
      refused = e as Error;
      settle.fail(refused);
      return server;
    }
    captured = { server, asked };
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (target) original.call(server, target, callback);
    else if (callback) server.once('listening', callback);
    settle.ok(captured);
    return server;
  };
  net.Server.prototype.listen = listen as typeof net.Server.prototype.listen;
  return {
    get captured() {
      return captured;
    },
    get refused() {
      return refused;
    },
    next,
    serveExported(server) {
      exported = server;
    },
    restore() {
      if (net.Server.prototype.listen === (listen as unknown)) net.Server.prototype.listen = original as typeof net.Server.prototype.listen;
    },
  };
}
