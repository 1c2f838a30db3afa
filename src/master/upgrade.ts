/**
 * Hot upgrade (USR2), the process side; the master machine decides when.
 *
 * The old master starts the new one from the files on disk: the same Node binary path and
 * arguments, in the directory statefork was started in, with each listening socket as an
 * inherited fd (3, 4, ...: STATEFORK_FD="3,4"; STATEFORK_FD_BINDS holds the --bind each was made
 * for, so a unix socket keeps its path), STATEFORK_UPGRADE_FROM=<old pid>, and an IPC channel.
 * The new master reads and removes these variables (no worker or later upgrade sees them),
 * writes <pidfile>.2, says `upgrade-ready` once its first generation is ready, and is promoted
 * when the channel closes: the old master is gone.
 */
import { spawn } from 'node:child_process';
import { fromEvent, map, Observable, of, take } from '../adapters/rx-operators.js';
import { parseUpgradeMessage, upgradeMessage } from '../../machines/protocol.js';
import { parseBind, type BindSpec } from '../config/bind.js';
import { DAEMON_ENV } from '../daemon.js';
import { StatforkError } from '../errors.js';
import type { Listener } from './sockets.js';
import { inheritedExecArgv } from './worker-processes.js';

export const UPGRADE_ENV = { fds: 'STATEFORK_FD', binds: 'STATEFORK_FD_BINDS', from: 'STATEFORK_UPGRADE_FROM' } as const;

/** The first inherited fd (after stdin, stdout, stderr). */
const FIRST_FD = 3;

export type UpgradeEvent =
  | { type: 'UPGRADE_SPAWNED'; pid: number }
  | { type: 'UPGRADE_READY' }
  | { type: 'UPGRADE_EXIT'; code: number | null; signal: string | null; reason?: string };

/** How to run statefork again: its entry script and arguments (the CLI's own). */
export interface Command {
  script: string;
  args: string[];
  cwd: string;
}


/** In the old master: starts the new one. Every outcome, even a failed spawn, comes back as an event. */
export function startNewMaster(command: Command, listeners: Listener[], send: (e: UpgradeEvent) => void, extraEnv: NodeJS.ProcessEnv = {}): void {
  // A unix socket's path goes absolute: the new master resolves it before any --chdir.
  const binds = listeners.map((l) => (l.spec.kind === 'unix' ? `unix:${l.spec.path}` : l.spec.text));
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, [UPGRADE_ENV.fds]: listeners.map((_, i) => FIRST_FD + i).join(','), [UPGRADE_ENV.binds]: JSON.stringify(binds), [UPGRADE_ENV.from]: String(process.pid) };
  // The old master may be a daemon; the new one is already detached with it, and reports to it.
  delete env[DAEMON_ENV];
  let over = false;
  const exit = (e: Extract<UpgradeEvent, { type: 'UPGRADE_EXIT' }>) => {
    if (over) return;
    over = true;
    send(e);
  };
  try {
    const child = spawn(process.execPath, [...inheritedExecArgv(), command.script, ...command.args], {
      cwd: command.cwd, env, stdio: ['ignore', 'inherit', 'inherit', ...listeners.map((l) => l.fd), 'ipc'],
    });
    child.once('spawn', () => send({ type: 'UPGRADE_SPAWNED', pid: child.pid! }));
    child.on('message', (raw) => { if (parseUpgradeMessage(raw)) send({ type: 'UPGRADE_READY' }); });
    child.once('exit', (code, signal) => exit({ type: 'UPGRADE_EXIT', code, signal }));
    child.once('error', (e) => { if (child.pid === undefined) exit({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: e.message }); });
  } catch (e) {
    exit({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: (e as Error).message });
  }
}

/**
 * In a master: the old master's pid if this one was started by its USR2: the variable names the
 * parent, and the channel to it is there. Otherwise (a stray variable in a shell) null.
 */
export function oldMasterPid(env: NodeJS.ProcessEnv): number | null {
  const raw = env[UPGRADE_ENV.from];
  delete env[UPGRADE_ENV.from];
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) === process.ppid && process.send ? Number(raw) : null;
}

/** Whether this process is the new master of a hot upgrade (before it has read its variables). */
export const isNewMaster = (env: NodeJS.ProcessEnv = process.env): boolean => env[UPGRADE_ENV.from] !== undefined && Boolean(process.send);

/**
 * In a new master (`upgradeFrom`, see oldMasterPid): the sockets the old one passed, each with its
 * bind; null when none were passed. Outside a hot upgrade the variables are refused: they would
 * make a master serve on fds it was never given, and remove at its end a file they name.
 */
export function inheritedSockets(env: NodeJS.ProcessEnv, upgradeFrom: number | null): Array<{ fd: number; spec: BindSpec }> | null {
  const fds = env[UPGRADE_ENV.fds];
  const binds = env[UPGRADE_ENV.binds];
  delete env[UPGRADE_ENV.fds];
  delete env[UPGRADE_ENV.binds];
  if (fds === undefined && binds === undefined) return null;
  if (upgradeFrom === null) {
    const name = fds !== undefined ? UPGRADE_ENV.fds : UPGRADE_ENV.binds;
    throw new StatforkError('SF_USAGE', `${name} is set, but this is not a hot upgrade (no ${UPGRADE_ENV.from} naming the parent master, with its channel): only a statefork master sets it, for its new master; unset it to start normally`);
  }
  if (fds === undefined) throw new StatforkError('SF_USAGE', `${UPGRADE_ENV.binds} is set without ${UPGRADE_ENV.fds}; unset it to start normally`);
  const bad = (why: string) => new StatforkError('SF_USAGE', `invalid ${UPGRADE_ENV.fds} '${fds}': ${why}; it is set by a statefork master for the new master of a hot upgrade, unset it to start normally`);
  const list = fds === '' ? [] : fds.split(',').map((f) => (/^\d+$/.test(f) && Number(f) >= FIRST_FD ? Number(f) : NaN));
  if (list.some(Number.isNaN)) throw bad('expected fd numbers of 3 or more, comma-separated');
  let texts: unknown = [];
  try {
    texts = binds ? JSON.parse(binds) : [];
  } catch {
    throw bad(`${UPGRADE_ENV.binds} is not JSON`);
  }
  const named = Array.isArray(texts) ? texts : [];
  return list.map((fd, i) => ({ fd, spec: typeof named[i] === 'string' ? parseBind(named[i]) : parseBind(`fd://${fd}`) }));
}

/** In a new master: the old one learns this master's first generation is ready. */
export function tellOldMaster(): void {
  if (process.connected) process.send?.(upgradeMessage.ready());
}

/** In a new master: emits once, when the old master is gone (the IPC channel to it closed). */
export function oldMasterGone$(): Observable<{ type: 'PROMOTED' }> {
  // The channel must not keep this master alive, nor its end go unnoticed.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
  if (!process.connected) return of({ type: 'PROMOTED' as const });
  return fromEvent(process, 'disconnect').pipe(take(1), map(() => ({ type: 'PROMOTED' as const })));
}
