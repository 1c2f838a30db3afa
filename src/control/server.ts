/**
 * The control socket (--control-socket): a unix socket in the master, mode 0600, speaking the
 * protocol in ./protocol.ts. Every command is answered by `handle`, which turns it into the same
 * machine events a signal would; this file only frames, guards and answers. Bad input (not JSON,
 * an unknown command, a line too long, a client that never writes) gets an error line or a closed
 * connection and never reaches the master.
 */
import net from 'node:net';
import { fs } from '../node-builtins.js';
import { StateforkError } from '../errors.js';
import type { Logger } from '../log.js';
import { unixPathState } from '../adapters/unix-socket.js';
import { fail, IDLE_MS, isResponse, MAX_LINE, ok, parseRequest, type ErrorCode, type Request, type Response } from './protocol.js';

const { chmodSync, statSync, unlinkSync } = fs;

/** One reply line; a reply that cannot be written as JSON becomes an error reply, never a throw. */
function serialize(response: Response): string {
  try {
    return `${JSON.stringify(response)}\n`;
  } catch (e) {
    return `${JSON.stringify(fail(null, 'refused', `the reply could not be written: ${(e as Error).message}`))}\n`;
  }
}

/** A command refused for a reason the client can act on. */
export class ControlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlServer {
  path: string;
  close(): void;
}

const inUse = (path: string) =>
  new StateforkError(
    'SF_BIND_IN_USE',
    `cannot serve the control socket ${path}: another master answers on it; stop it, choose another --control-socket, or --no-control-socket`,
  );

/** A socket file left by a dead master is replaced; a live one is refused, unless `takeOver`. */
async function clearPath(path: string, takeOver: boolean): Promise<void> {
  const state = await unixPathState(path);
  if (state === 'not-a-socket')
    throw new StateforkError(
      'SF_BIND_FAILED',
      `cannot serve the control socket ${path}: the path exists and is not a socket; remove it or choose another --control-socket`,
    );
  if (state === 'live' && !takeOver) throw inUse(path);
  if (state !== 'free') unlinkSync(path);
}

export async function serveControl(path: string, handle: (req: Request) => unknown, log: Logger, { takeOver = false } = {}): Promise<ControlServer> {
  await clearPath(path, takeOver);
  const clients = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    clients.add(socket);
    socket.setEncoding('utf8');
    socket.setTimeout(IDLE_MS);
    let buffer = '';
    const reply = (line: Response) => {
      if (!socket.destroyed) socket.write(serialize(line));
    };
    socket.on('timeout', () => {
      reply(fail(null, 'idle', `nothing received for ${IDLE_MS / 1000} s: disconnected`));
      socket.end();
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) reply(answer(line));
      }
      if (buffer.length > MAX_LINE) {
        reply(fail(null, 'too-long', `a request line is limited to ${MAX_LINE} bytes: disconnected`));
        buffer = '';
        socket.end();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => clients.delete(socket));
  });
  const answer = (line: string) => {
    const req = line.length > MAX_LINE ? fail(null, 'too-long', `a request line is limited to ${MAX_LINE} bytes`) : parseRequest(line);
    if (isResponse(req)) return req;
    try {
      return ok(req.id, handle(req));
    } catch (e) {
      if (e instanceof ControlError) return fail(req.id, e.code, e.message);
      log.error({ err: e, command: req.command }, `control command ${req.command} failed`);
      return fail(req.id, 'refused', (e as Error).message);
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? inUse(path)
          : new StateforkError(
              'SF_BIND_FAILED',
              `cannot serve the control socket ${path}: ${e.code ?? e.message}; choose a writable --control-socket, or --no-control-socket`,
            ),
      ),
    );
    // Created 0600 from the start: nobody else may connect in the instant before the chmod.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  // Removed at the end only if the path is still this socket (a new master may have taken it over).
  const ino = statSync(path).ino;
  log.info({ controlSocket: path }, `control socket at ${path}`);
  return {
    path,
    close() {
      for (const c of clients) c.destroy();
      let ours = false;
      try {
        ours = statSync(path).ino === ino;
      } catch {
        // gone already
      }
      // Closing would make libuv remove the path, which a hot upgrade's new master may have
      // taken over: then the server is left to this master's exit, which removes nothing.
      if (!ours) return;
      server.close();
      try {
        unlinkSync(path);
      } catch {
        // libuv removed it already
      }
    },
  };
}
