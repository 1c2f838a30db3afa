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
import { childProcess } from '../../node-builtins.js';
import { EMPTY, fromEvent, map, merge, Observable, of, Subject, take } from '../../adapters/rx-operators.js';
import type { SourceEvent } from '../../../machines/master.events.js';
import { ENV, parseUpgradeMessage, UPGRADE_FIRST_FD, upgradeMessage } from '../../../machines/protocol.js';
import { parseBind, type BindSpec } from '../../config/bind.js';
import { StateforkError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MasterPidfile } from '../process/pidfile.js';
import type { Listener } from './sockets.js';
import { inheritedExecArgv } from '../process/exec-argv.js';

const { spawn } = childProcess();

export type UpgradeEvent = SourceEvent<'UPGRADE_SPAWNED' | 'UPGRADE_READY' | 'UPGRADE_EXIT'>;

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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    [ENV.upgradeFds]: listeners.map((_, i) => UPGRADE_FIRST_FD + i).join(','),
    [ENV.upgradeBinds]: JSON.stringify(binds),
    [ENV.upgradeFrom]: String(process.pid),
  };
  // The old master may be a daemon; the new one is already detached with it, and reports to it.
  delete env[ENV.daemonChild];
  let over = false;
  const exit = (e: Extract<UpgradeEvent, { type: 'UPGRADE_EXIT' }>) => {
    if (over) return;
    over = true;
    send(e);
  };
  try {
    const child = spawn(process.execPath, [...inheritedExecArgv(), command.script, ...command.args], {
      cwd: command.cwd,
      env,
      stdio: ['ignore', 'inherit', 'inherit', ...listeners.map((l) => l.fd), 'ipc'],
    });
    child.once('spawn', () => send({ type: 'UPGRADE_SPAWNED', pid: child.pid! }));
    child.on('message', (raw) => {
      if (parseUpgradeMessage(raw)) send({ type: 'UPGRADE_READY' });
    });
    child.once('exit', (code, signal) => exit({ type: 'UPGRADE_EXIT', code, signal }));
    child.once('error', (e) => {
      if (child.pid === undefined) exit({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: e.message });
    });
  } catch (e) {
    exit({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: (e as Error).message });
  }
}

/**
 * In a master: the old master's pid if this one was started by its USR2: the variable names the
 * parent, and the channel to it is there. Otherwise (a stray variable in a shell) null.
 */
export function oldMasterPid(env: NodeJS.ProcessEnv): number | null {
  const raw = env[ENV.upgradeFrom];
  delete env[ENV.upgradeFrom];
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) === process.ppid && process.send ? Number(raw) : null;
}

/** Whether this process is the new master of a hot upgrade (before it has read its variables). */
export const isNewMaster = (env: NodeJS.ProcessEnv = process.env): boolean => env[ENV.upgradeFrom] !== undefined && Boolean(process.send);

/**
 * In a new master (`upgradeFrom`, see oldMasterPid): the sockets the old one passed, each with its
 * bind; null when none were passed. Outside a hot upgrade the variables are refused: they would
 * make a master serve on fds it was never given, and remove at its end a file they name.
 */
export function inheritedSockets(env: NodeJS.ProcessEnv, upgradeFrom: number | null): Array<{ fd: number; spec: BindSpec }> | null {
  const fds = env[ENV.upgradeFds];
  const binds = env[ENV.upgradeBinds];
  delete env[ENV.upgradeFds];
  delete env[ENV.upgradeBinds];
  if (fds === undefined && binds === undefined) return null;
  if (upgradeFrom === null) {
    const name = fds !== undefined ? ENV.upgradeFds : ENV.upgradeBinds;
    throw new StateforkError(
      'SF_USAGE',
      `${name} is set, but this is not a hot upgrade (no ${ENV.upgradeFrom} naming the parent master, with its channel): only a statefork master sets it, for its new master; unset it to start normally`,
    );
  }
  if (fds === undefined) throw new StateforkError('SF_USAGE', `${ENV.upgradeBinds} is set without ${ENV.upgradeFds}; unset it to start normally`);
  const bad = (why: string) =>
    new StateforkError(
      'SF_USAGE',
      `invalid ${ENV.upgradeFds} '${fds}': ${why}; it is set by a statefork master for the new master of a hot upgrade, unset it to start normally`,
    );
  const list = fds === '' ? [] : fds.split(',').map((f) => (/^\d+$/.test(f) && Number(f) >= UPGRADE_FIRST_FD ? Number(f) : NaN));
  if (list.some(Number.isNaN)) throw bad('expected fd numbers of 3 or more, comma-separated');
  let texts: unknown = [];
  try {
    texts = binds ? JSON.parse(binds) : [];
  } catch {
    throw bad(`${ENV.upgradeBinds} is not JSON`);
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
  return fromEvent(process, 'disconnect').pipe(
    take(1),
    map(() => ({ type: 'PROMOTED' as const })),
  );
}

export interface UpgraderDeps {
  /** How to start statefork again; absent in an embedded master, which cannot upgrade. */
  command?: Command;
  listeners: Listener[];
  pidfile: MasterPidfile;
  log: Logger;
  /** Variables the new master needs that this one removed from its environment (NOTIFY_SOCKET). */
  extraEnv(): NodeJS.ProcessEnv;
  /** The preExec hook, just before the new master starts. */
  preExec(): void;
  /** This master is the new one of that old master's upgrade (see oldMasterPid). */
  upgradeFrom: number | null;
}

/**
 * Both ends of a hot upgrade, as the master machine's effects and a source of its events: in
 * the old master, the new master started and what becomes of it; in the new master, telling the
 * old one, being promoted when it is gone, and taking over its pidfile.
 */
export class Upgrader {
  private readonly outcomes$ = new Subject<UpgradeEvent>();
  /** UPGRADE_SPAWNED, UPGRADE_READY, UPGRADE_EXIT; in a new master, PROMOTED once. */
  readonly events$: Observable<SourceEvent<'UPGRADE_SPAWNED' | 'UPGRADE_READY' | 'UPGRADE_EXIT' | 'PROMOTED'>>;

  constructor(private readonly deps: UpgraderDeps) {
    this.events$ = merge(this.outcomes$, deps.upgradeFrom !== null ? oldMasterGone$() : EMPTY);
  }

  start(): void {
    if (!this.deps.command) {
      this.outcomes$.next({
        type: 'UPGRADE_EXIT',
        code: null,
        signal: null,
        reason: 'an embedded master cannot start itself again: hot upgrade needs the statefork command',
      });
      return;
    }
    this.deps.preExec();
    startNewMaster(this.deps.command, this.deps.listeners, (e) => this.outcomes$.next(e), this.deps.extraEnv());
  }

  tellOldMaster(): void {
    tellOldMaster();
  }

  claimPidfile(): void {
    const claimed = this.deps.pidfile.claim();
    if (claimed) this.deps.log.info({ pidfile: claimed }, `pidfile ${claimed} is this master's now`);
  }
}
