/**
 * Where control sockets live by default: one per master, named by its pid, in a directory only
 * its user can enter: /run/statefork for root, $XDG_RUNTIME_DIR/statefork for a user session,
 * else <tmpdir>/statefork-<uid>. The commands (statefork status, ...) find a master's socket
 * from --control-socket, from --pid (the pidfile's pid), or as the only live one there.
 */
import { fs, os } from '../node-builtins.js';
import { dirname, join } from 'node:path';
import { StateforkError } from '../errors.js';
import { isAlive, isMaster } from '../adapters/processes.js';

const { lstatSync, mkdirSync, readdirSync, readFileSync } = fs;
const { tmpdir } = os();

export function controlDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  if (uid === 0) return '/run/statefork';
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'statefork') : join(tmpdir(), `statefork-${uid}`);
}

export const defaultControlSocket = (pid: number, dir = controlDir()): string => join(dir, `${pid}.sock`);

const myUid = () => process.getuid?.() ?? 0;

/**
 * What is wrong with `dir` as the home of a control socket, or null: it must be a real
 * directory (not a link), this user's, and closed to everyone else (0700). One another user
 * made first, or can write, could hold their socket under the master's name.
 */
export function privateDirProblem(dir: string, uid = myUid()): string | null {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== uid) return `belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if (st.mode & 0o077) return `has mode 0${(st.mode & 0o777).toString(8)}, not 0700`;
  return null;
}

function verifiedDir(dir: string): string {
  const problem = privateDirProblem(dir);
  if (problem)
    throw new StateforkError(
      'SF_UNTRUSTED',
      `cannot serve the control socket in ${dir}: the directory ${problem}, so another user could put a socket there; remove it (statefork makes it again, 0700) or give --control-socket PATH`,
    );
  return dir;
}

/** Makes the default directory (0700), or checks the one there; falls back to the temp dir when /run is not writable. */
export function ensureControlDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const fallback = join(tmpdir(), `statefork-${myUid()}`);
    if (dir === fallback)
      throw new StateforkError(
        'SF_BIND_FAILED',
        `cannot make the control socket directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give --control-socket PATH, or --no-control-socket`,
      );
    return ensureControlDir(fallback);
  }
  return verifiedDir(dir);
}

/**
 * Before a command believes a socket's answer: it is a socket, its owner is this user or root
 * (a master of another user could only be reached by root), and its directory is not one another
 * user can write to (unless sticky, where they cannot replace what is ours).
 */
export function trustSocket(path: string, uid = myUid()): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there: connecting says so
  }
  const refuse = (why: string) =>
    new StateforkError('SF_UNTRUSTED', `refusing to talk to ${path}: ${why}, so it may not be a statefork master's; check who made it`);
  if (!st.isSocket()) throw refuse('it is not a socket');
  if (st.uid !== uid && st.uid !== 0) throw refuse(`it belongs to uid ${st.uid}, not to you (uid ${uid}) or root`);
  const parent = lstatSync(dirname(path));
  const sticky = (parent.mode & 0o1000) !== 0;
  if (parent.uid !== uid && parent.uid !== 0) throw refuse(`its directory ${dirname(path)} belongs to uid ${parent.uid}`);
  if (parent.mode & 0o022 && !sticky) throw refuse(`its directory ${dirname(path)} can be written by other users`);
}

/** A socket file whose pid runs a statefork master: one left by a master killed with -9 whose pid was reused does not count. */
const isRunningMaster = (pid: number) => isAlive(pid) && isMaster(pid) !== false;

/** The socket a command talks to. */
export function locateControlSocket(
  opts: { controlSocket?: string; pid?: string },
  dirs = [controlDir(), join(tmpdir(), `statefork-${process.getuid?.() ?? 0}`)],
): string {
  if (opts.controlSocket) return opts.controlSocket;
  if (opts.pid) {
    let text: string;
    try {
      text = readFileSync(opts.pid, 'utf8').trim();
    } catch (e) {
      throw new StateforkError(
        'SF_NO_MASTER',
        `cannot read pidfile ${opts.pid}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; is the master running with --pid ${opts.pid}?`,
      );
    }
    if (!/^\d+$/.test(text)) throw new StateforkError('SF_NO_MASTER', `pidfile ${opts.pid} holds no pid; give the pidfile of a running master`);
    return defaultControlSocket(Number(text), controlDir());
  }
  const found = [...new Set(dirs)].flatMap((dir) => {
    try {
      // A default directory another user made is not where this user's masters are.
      if (privateDirProblem(dir)) return [];
      return readdirSync(dir)
        .filter((f) => /^\d+\.sock$/.test(f) && isRunningMaster(Number.parseInt(f, 10)))
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
  if (found.length === 1) return found[0];
  if (!found.length)
    throw new StateforkError('SF_NO_MASTER', `no statefork master found in ${[...new Set(dirs)].join(' or ')}; give --control-socket PATH or --pid FILE`);
  throw new StateforkError('SF_USAGE', `${found.length} masters are running (${found.join(', ')}); choose one with --control-socket PATH or --pid FILE`);
}
