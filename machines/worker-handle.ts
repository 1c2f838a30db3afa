/**
 * The master's view of one worker process: plain data kept in the master machine's context
 * (never a ChildProcess). The process's own lifecycle lives in worker.machine.ts; this is what
 * the master knows and has decided about it.
 *
 * Phases, as the master sees them:
 *   spawning -> asked for; the process does not exist yet
 *   booting  -> the process exists and loads the app; not yet ready
 *   ready    -> announced ready over IPC; receives traffic
 *   draining -> sent SIGTERM: finishing its requests (retired by reload, scale-down, recycling,
 *               a hot upgrade's WINCH, or stop)
 *   quitting -> sent SIGQUIT: quick stop
 *   aborting -> sent SIGABRT after a heartbeat timeout
 *   killed   -> sent SIGKILL (deadline passed, boot timeout, still alive after SIGABRT, or it
 *               broke the IPC protocol)
 * A worker leaves the context when its exit is reported.
 */
import type { DrainReason, RecycleReason } from './protocol.js';

export type WorkerPhase = 'spawning' | 'booting' | 'ready' | 'draining' | 'quitting' | 'aborting' | 'killed';

/** Why the master signalled a worker; null while it was never asked to go. */
export type StopCause = 'retire' | 'recycle' | 'handover' | 'stop' | 'timeout' | 'boot-timeout' | 'reload-abandoned' | 'protocol';

export interface WorkerHandle {
  /** Unique for the master's life: it grows with every worker started (logs, control, inspector). */
  id: number;
  /**
   * The lowest number from 1 that no live worker holds when this one is asked for: a gone
   * worker's slot is the next one's, so per-worker metric series stay bounded by the most
   * workers alive at once, where ids grow forever.
   */
  slot: number;
  pid: number | null;
  generation: number;
  phase: WorkerPhase;
  spawnedAt: number;
  readyAt: number | null;
  /** Last heartbeat stamp seen, and the master time at which it last changed. */
  beat: number | null;
  beatAt: number;
  /** Master time after which a worker that is still alive gets SIGKILL. */
  deadline: number | null;
  cause: StopCause | null;
  /** One-line reason the worker reported before exiting, if any. */
  failure: string | null;
  /** USR1 came while it booted: forward it once it is ready (see markReady and forwardReopen in master.setup). */
  reopenPending: boolean;
  /** It reached a recycling limit: replaced like an old generation, once a new worker is ready. */
  recycle: RecycleReason | null;
}

export function newHandle(id: number, slot: number, generation: number, now: number): WorkerHandle {
  return {
    id,
    slot,
    pid: null,
    generation,
    phase: 'spawning',
    spawnedAt: now,
    readyAt: null,
    beat: null,
    beatAt: now,
    deadline: null,
    cause: null,
    failure: null,
    reopenPending: false,
    recycle: null,
  };
}

/** The slot a worker asked for now gets: the lowest from 1 that none of `workers` holds. */
export function freeSlot(workers: readonly WorkerHandle[]): number {
  const taken = new Set(workers.map((w) => w.slot));
  let slot = 1;
  while (taken.has(slot)) slot++;
  return slot;
}

/** Not ready yet: asked for, or running and loading its app. */
export const isBooting = (w: WorkerHandle): boolean => w.phase === 'spawning' || w.phase === 'booting';

/** Booting or ready workers are the ones that count towards the target. */
export const isServing = (w: WorkerHandle): boolean => isBooting(w) || w.phase === 'ready';

/**
 * Why a worker is gone, decided once, here: what the log says, what the backoff and halting
 * go by (through its kind) and what the metrics count.
 */
export type ExitReason = 'app-load-error' | 'boot-failure' | 'crash' | 'timeout' | 'recycled' | 'reload' | 'scale' | 'upgrade' | 'stop';

/** How an exit is understood by the master's decisions: the retirements are all one. */
export type ExitKind = 'app-load-error' | 'boot-failure' | 'crash' | 'timeout' | 'retired';

/** `generation`: the master's current one (a retired worker of an older one went for a reload). */
export function exitReason(w: WorkerHandle, code: number | null, appLoadErrorCode: number, generation: number): ExitReason {
  switch (w.cause) {
    case 'recycle':
      return 'recycled';
    case 'handover':
      return 'upgrade';
    case 'stop':
      return 'stop';
    case 'reload-abandoned':
      return 'reload';
    case 'retire':
      return w.generation !== generation ? 'reload' : 'scale';
    case 'boot-timeout':
      return 'boot-failure';
    case 'timeout':
      return 'timeout';
    default:
      if (w.readyAt !== null) return 'crash';
      return code === appLoadErrorCode ? 'app-load-error' : 'boot-failure';
  }
}

/** Why a worker told to drain goes, as its app learns it (`generation`: the master's current one). */
export function drainReason(w: WorkerHandle, generation: number): DrainReason {
  switch (w.cause) {
    case 'recycle':
      return 'recycle';
    case 'stop':
      return 'stop';
    case 'retire':
      return w.generation !== generation ? 'reload' : 'scale';
    default:
      return 'retire';
  }
}

export function kindOfReason(reason: ExitReason): ExitKind {
  switch (reason) {
    case 'recycled':
    case 'upgrade':
    case 'stop':
    case 'reload':
    case 'scale':
      return 'retired';
    default:
      return reason;
  }
}

export function exitKind(w: WorkerHandle, code: number | null, appLoadErrorCode: number): ExitKind {
  return kindOfReason(exitReason(w, code, appLoadErrorCode, w.generation));
}

/** Signals a process gets from its own faults, not from an operator or the OOM killer. */
const CRASH_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS'];

/**
 * Whether a worker died of its own doing (an error exit code or a crash signal). Only such
 * deaths, right after boot, count towards the respawn backoff: a worker killed from outside
 * (kill -9, the OOM killer) is replaced at once.
 */
export function diedOfItself(code: number | null, signal: string | null): boolean {
  return (code !== null && code !== 0) || (signal !== null && CRASH_SIGNALS.includes(signal));
}

/** What happened to each worker between two lists of handles: a new phase, or a pid learnt. */
export interface HandleChange {
  w: WorkerHandle;
  from: WorkerPhase | 'none';
  to: WorkerPhase | 'exited';
  /** The pid became known in this step (the process was spawned). */
  spawned: boolean;
}

export function handleChanges(before: WorkerHandle[], after: WorkerHandle[]): HandleChange[] {
  const old = new Map(before.map((w) => [w.id, w]));
  const changes: HandleChange[] = [];
  for (const w of after) {
    const o = old.get(w.id);
    const spawned = w.pid !== null && o?.pid == null;
    if (!o || o.phase !== w.phase || spawned) changes.push({ w, from: o?.phase ?? 'none', to: w.phase, spawned });
  }
  const ids = new Set(after.map((w) => w.id));
  for (const w of before) if (!ids.has(w.id)) changes.push({ w, from: w.phase, to: 'exited', spawned: false });
  return changes;
}

/** Marks a worker as told to go with `signal`, and when it must be gone by. */
export function signalled(w: WorkerHandle, signal: 'SIGTERM' | 'SIGQUIT' | 'SIGABRT' | 'SIGKILL', cause: StopCause, deadline: number | null): WorkerHandle {
  const phase: WorkerPhase = signal === 'SIGTERM' ? 'draining' : signal === 'SIGQUIT' ? 'quitting' : signal === 'SIGABRT' ? 'aborting' : 'killed';
  // Keep the first cause: a retired worker that is later SIGKILLed was still retired.
  return { ...w, phase, cause: w.cause ?? cause, deadline };
}
