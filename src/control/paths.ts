/**
 * Where control sockets live by default: one per master, named by its pid, in a directory only
 * its user can enter: /run/statefork for root, $XDG_RUNTIME_DIR/statefork for a user session,
 * else <tmpdir>/statefork-<uid>. The commands (statefork status, ...) find a master's socket
 * from --control-socket, from --pid (the pidfile's pid), or as the only live one there.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatforkError } from '../errors.js';
import { isAlive, isMaster } from '../master/pidfile.js';

export function controlDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  if (uid === 0) return '/run/statefork';
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'statefork') : join(tmpdir(), `statefork-${uid}`);
}

export const defaultControlSocket = (pid: number, dir = controlDir()): string => join(dir, `${pid}.sock`);

/** Makes the default directory (0700); falls back to the temp dir when /run is not writable. */
export function ensureControlDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch (e) {
    const fallback = join(tmpdir(), `statefork-${process.getuid?.() ?? 0}`);
    if (dir === fallback) throw e;
    mkdirSync(fallback, { recursive: true, mode: 0o700 });
    return fallback;
  }
}

/** A socket file whose pid runs a statefork master: one left by a master killed with -9 whose pid was reused does not count. */
const isRunningMaster = (pid: number) => isAlive(pid) && isMaster(pid) !== false;

/** The socket a command talks to. */
export function locateControlSocket(opts: { controlSocket?: string; pid?: string }, dirs = [controlDir(), join(tmpdir(), `statefork-${process.getuid?.() ?? 0}`)]): string {
  if (opts.controlSocket) return opts.controlSocket;
  if (opts.pid) {
    let text: string;
    try {
      text = readFileSync(opts.pid, 'utf8').trim();
    } catch (e) {
      throw new StatforkError('SF_NO_MASTER', `cannot read pidfile ${opts.pid}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; is the master running with --pid ${opts.pid}?`);
    }
    if (!/^\d+$/.test(text)) throw new StatforkError('SF_NO_MASTER', `pidfile ${opts.pid} holds no pid; give the pidfile of a running master`);
    return defaultControlSocket(Number(text), controlDir());
  }
  const found = [...new Set(dirs)].flatMap((dir) => {
    try {
      return readdirSync(dir).filter((f) => /^\d+\.sock$/.test(f) && isRunningMaster(Number.parseInt(f, 10))).map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
  if (found.length === 1) return found[0];
  if (!found.length) throw new StatforkError('SF_NO_MASTER', `no statefork master found in ${[...new Set(dirs)].join(' or ')}; give --control-socket PATH or --pid FILE`);
  throw new StatforkError('SF_USAGE', `${found.length} masters are running (${found.join(', ')}); choose one with --control-socket PATH or --pid FILE`);
}
