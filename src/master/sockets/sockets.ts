/**
 * The master's listening sockets: bound (and, for fd://, inherited) but never accepted on here.
 * A net.Server that listens would also accept, so the master uses the same bound-handle
 * primitive Node's cluster module uses, and the workers call listen() on their copies.
 */
import net from 'node:net';
import { dnsPromises, fs, util } from '../../node-builtins.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateforkError } from '../../errors.js';
import type { BindSpec } from '../../config/bind.js';
import type { Logger } from '../../log.js';
import { boundPath, socketInode, unixPathState } from '../../adapters/unix-socket.js';

const { unlinkSync } = fs;
const { getSystemErrorName } = util();

interface ServerHandle {
  fd: number;
  close(): void;
  getsockname?(out: Record<string, unknown>): number;
}

type CreateServerHandle = (address: string | null, port: number | null, addressType: number | null, fd?: number) => ServerHandle | number;
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

export interface Listener {
  spec: BindSpec;
  fd: number;
  /** Where clients connect, for the log: http://127.0.0.1:8000, unix:/run/app.sock, fd://3. */
  url: string;
  /** Closes this master's copy; `unlink` false keeps a unix socket's file (another master shares it). */
  close(unlink?: boolean): void;
}

function listener(spec: BindSpec, h: ServerHandle): Listener {
  let closed = false;
  // The socket file this master bound (or adopted): the only file it will ever remove.
  const ino = spec.kind === 'unix' ? socketInode(spec.path) : null;
  return {
    spec,
    fd: h.fd,
    url: urlOf(spec, h),
    close(unlink = true) {
      if (closed) return;
      closed = true;
      // libuv removes a unix socket's file when a handle bound to that path closes, and the
      // other master of a hot upgrade serves on it: such a handle is left open instead, until
      // this master exits (an exit leaves the file alone). It accepts nothing meanwhile.
      if (!unlink && spec.kind === 'unix') return;
      h.close();
      if (unlink && spec.kind === 'unix' && ino !== null && socketInode(spec.path) === ino)
        try {
          unlinkSync(spec.path);
        } catch {
          /* already gone */
        }
    },
  };
}

export const BIND_ATTEMPTS = 5;
export const BIND_RETRY_MS = 1000;

function bindError(spec: BindSpec, err: string): StateforkError {
  const fixes: Record<string, string> = {
    EADDRINUSE: `the address is in use (tried ${BIND_ATTEMPTS} times); stop the other server or choose another --bind`,
    EACCES: 'permission denied; ports below 1024 need root or CAP_NET_BIND_SERVICE, so choose a port above 1023',
    EADDRNOTAVAIL: 'this machine has no such address; bind 127.0.0.1, 0.0.0.0 or one of its own addresses',
    EBADF: 'no such file descriptor was inherited; pass an fd this process really has',
    ENOTSOCK: 'that file descriptor is not a socket',
  };
  return new StateforkError(err === 'EADDRINUSE' ? 'SF_BIND_IN_USE' : 'SF_BIND_FAILED', `cannot bind ${spec.text}: ${fixes[err] ?? err}`);
}

/** A unix socket file left by a dead server is replaced; one a live server answers on is not. */
async function clearStaleUnixSocket(spec: Extract<BindSpec, { kind: 'unix' }>): Promise<void> {
  const state = await unixPathState(spec.path);
  if (state === 'not-a-socket')
    throw new StateforkError('SF_BIND_FAILED', `cannot bind ${spec.text}: the path exists and is not a socket; remove it or choose another path`);
  if (state === 'live')
    throw new StateforkError('SF_BIND_IN_USE', `cannot bind ${spec.text}: another server is listening on it; stop it or choose another path`);
  if (state === 'stale') unlinkSync(spec.path);
}

async function bindOnce(spec: BindSpec): Promise<ServerHandle | string> {
  let result: ServerHandle | number;
  if (spec.kind === 'fd') result = createServerHandle(null, null, null, spec.fd);
  else if (spec.kind === 'unix') {
    await clearStaleUnixSocket(spec);
    result = createServerHandle(spec.path, -1, -1);
  } else {
    const family =
      net.isIP(spec.host) ||
      (
        await dnsPromises()
          .lookup(spec.host)
          .catch(() => null)
      )?.family;
    if (!family) throw new StateforkError('SF_BIND_FAILED', `cannot bind ${spec.text}: the host name '${spec.host}' does not resolve; use an IP address`);
    const address = net.isIP(spec.host) ? spec.host : (await dnsPromises().lookup(spec.host)).address;
    result = createServerHandle(address, spec.port, family);
    // libuv defers EADDRINUSE from bind() to listen(), which only the workers call: a socket
    // that did not get the port it asked for is in use (unbound, it would listen on a random one).
    if (typeof result !== 'number' && spec.port !== 0 && boundPort(result) !== spec.port) {
      result.close();
      return 'EADDRINUSE';
    }
  }
  return typeof result === 'number' ? getSystemErrorName(result) : result;
}

function boundPort(handle: ServerHandle): number | undefined {
  const out: { address?: string; port?: number; family?: string } = {};
  handle.getsockname?.(out);
  return out.port;
}

function urlOf(spec: BindSpec, handle: ServerHandle): string {
  if (spec.kind === 'unix') return `unix:${spec.path}`;
  const out: { address?: string; port?: number; family?: string } = {};
  if (handle.getsockname?.(out) !== 0 || out.port === undefined) return spec.kind === 'fd' ? spec.text : `http://${spec.text.replace(/^proxy:/, '')}`;
  const host = out.family === 'IPv6' ? `[${out.address}]` : String(out.address);
  return `http://${host}:${out.port}`;
}

export async function bindAll(specs: BindSpec[], log: Logger, retryMs = BIND_RETRY_MS): Promise<Listener[]> {
  const listeners: Listener[] = [];
  try {
    for (const spec of specs) {
      let handle: ServerHandle | string = 'EADDRINUSE';
      for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
        handle = await bindOnce(spec);
        if (handle !== 'EADDRINUSE' || attempt === BIND_ATTEMPTS) break;
        log.warn({ bind: spec.text, attempt }, `address in use, retrying in ${retryMs} ms`);
        await sleep(retryMs);
      }
      if (typeof handle === 'string') throw bindError(spec, handle);
      listeners.push(listener(spec, handle));
    }
  } catch (e) {
    for (const l of listeners) l.close();
    throw e;
  }
  return listeners;
}

/**
 * A hot upgrade's new master: the old master's sockets, inherited as fds, each with the bind it
 * was made for (a unix socket keeps its path, so the promoted master removes the file at its end).
 */
export function adoptAll(inherited: Array<{ fd: number; spec: BindSpec }>): Listener[] {
  const listeners: Listener[] = [];
  for (const { fd, spec } of inherited) {
    const fail = (err: StateforkError) => {
      for (const l of listeners) l.close(false);
      throw err;
    };
    // A unix socket is the one named only if the kernel says it is bound there.
    if (spec.kind === 'unix' && boundPath(fd) !== spec.path) {
      fail(new StateforkError('SF_USAGE', `cannot serve on fd ${fd} as ${spec.text}: that fd is not a socket bound at ${spec.path} (${UPGRADE_NOTE})`));
    }
    const handle = createServerHandle(null, null, null, fd);
    if (typeof handle === 'number')
      fail(bindError({ kind: 'fd', fd, text: `fd://${fd} (${spec.text}, from the old master)`, proxy: spec.proxy }, getSystemErrorName(handle)));
    else listeners.push(listener(spec, handle));
  }
  return listeners;
}

const UPGRADE_NOTE = 'STATEFORK_FD_BINDS names it; only a statefork master sets it, for its new master';

/** With --reuse-port, the TCP binds go to the workers (each binds its own socket). */
export function splitBinds(
  specs: BindSpec[],
  reusePort: boolean,
): { masterBinds: BindSpec[]; workerBinds: Array<{ host: string; port: number; proxy: boolean }> } {
  if (!reusePort) return { masterBinds: specs, workerBinds: [] };
  const tcp = specs.filter((s): s is Extract<BindSpec, { kind: 'tcp' }> => s.kind === 'tcp');
  return { masterBinds: specs.filter((s) => s.kind !== 'tcp'), workerBinds: tcp.map(({ host, port, proxy }) => ({ host, port, proxy })) };
}
