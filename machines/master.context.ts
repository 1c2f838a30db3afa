/** The master machine's context and settings: plain data only. */
import type { WorkerHandle } from './worker-handle.js';
import { initialScaler, type HostLimits, type ScalerState, type ScalingSettings } from './master.scaling.js';

/** The part of the configuration the master machine decides with (times in milliseconds). */
export interface MasterSettings {
  /** Workers configured (--workers; MIN when adaptive); the live target starts here and moves with TTIN/TTOU. */
  workers: number;
  /** --workers MIN:MAX: the count follows the load between the two; absent: a fixed count. */
  scaling?: ScalingSettings;
  /** The CPUs and memory the host allows (the adaptive ceiling's default and its memory bound). */
  limits?: HostLimits;
  /** Heartbeat timeout; 0 disables hung-worker detection. */
  timeoutMs: number;
  /** How long a retired or stopping worker may take before SIGKILL. */
  gracefulTimeoutMs: number;
  /** How long a worker may take to become ready; 0 disables. */
  bootTimeoutMs: number;
  /** On TERM, keep serving this long before draining (--drain-delay); 0 or absent: drain at once. */
  drainDelayMs?: number;
  /** --upgrade-auto: once the new master of a USR2 reports ready, this one stops by itself. */
  upgradeAuto?: boolean;
  /** Fixed count: the most workers TTIN and `statefork scale` may reach (--max-workers); absent: MAX_WORKERS. */
  maxWorkers?: number;
}

/** The ceiling of the worker target when --max-workers is not given. */
export const MAX_WORKERS = 1024;

/** The new master a USR2 started (hot upgrade), as long as it runs. */
export interface Upgrade {
  /** Its pid, once the process exists. */
  pid: number | null;
  /** It reported every worker of its first generation ready. */
  ready: boolean;
}

export interface MasterContext {
  settings: MasterSettings;
  target: number;
  /** The adaptive scaler's clocks and the latest load sample's figures (kept in fixed mode too, for observers). */
  scaler: ScalerState;
  /** Workers spawned now belong to this generation; a reload starts the next one. */
  generation: number;
  previousGeneration: number;
  nextId: number;
  workers: WorkerHandle[];
  /** Consecutive boot failures and young crashes, for the respawn backoff. */
  failures: number;
  /**
   * A worker of this master has been ready: the site has served. From then on a sibling's boot
   * failure is retried with backoff instead of halting the master (the fail-fast is for the start).
   */
  hasServed: boolean;
  /** A HUP arrived during a reload: reload again once it is over. */
  reloadQueued: boolean;
  /** TERM with --drain-delay: the time the drain starts; null when not waiting for it. */
  drainAt: number | null;
  /** The listening sockets were closed (the drain or a quick stop began). */
  socketsClosed: boolean;
  /** --reuse-port: the workers bind the TCP addresses themselves; the master holds none of those. */
  workersBind: boolean;
  /** USR2: the new master started from the files on disk, while it runs; null when none. */
  upgrade: Upgrade | null;
  /**
   * This master is the new master of a hot upgrade and the old one (this pid) still runs: it is
   * not promoted yet. null for a master started normally, and once promoted.
   */
  upgradeFrom: number | null;
  lastFailureAt: number;
  startedAt: number;
  exitCode: number;
  reason: string | null;
}

export interface MasterInput {
  settings: MasterSettings;
  now: number;
  /** Started by the USR2 of the master with this pid (STATEFORK_UPGRADE_FROM). */
  upgradeFrom?: number | null;
  /** --reuse-port: the workers bind the TCP addresses themselves. */
  workersBind?: boolean;
}

/**
 * Whether the master still holds the sockets its workers accept on: then a worker it TERMs is
 * retired while others accept, and need not sweep the queue the others will take.
 */
export const socketsHeld = (ctx: MasterContext): boolean => !ctx.workersBind && !ctx.socketsClosed;

/**
 * Whether closing the listeners may remove a unix socket's file: not while another master
 * shares the sockets (a hot upgrade's new master, or the old one of this new master).
 */
export const mayUnlinkSockets = (ctx: MasterContext): boolean => ctx.upgrade === null && ctx.upgradeFrom === null;

/** A quick stop (INT/QUIT) gives workers this long after SIGQUIT before SIGKILL. */
export const QUICK_STOP_MS = 2_000;
/** A worker that crashes within this long of becoming ready counts as a failed boot. */
export const STABLE_MS = 10_000;
/** Respawn delay after the n-th consecutive failure: 0, then 1 s, 2 s, 4 s ... capped. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;

export function backoffDelay(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 2));
}

export function initialContext({ settings, now, upgradeFrom = null, workersBind = false }: MasterInput): MasterContext {
  return {
    settings,
    target: settings.workers,
    scaler: initialScaler(now),
    generation: 1,
    previousGeneration: 1,
    nextId: 1,
    workers: [],
    failures: 0,
    hasServed: false,
    reloadQueued: false,
    drainAt: null,
    socketsClosed: false,
    workersBind,
    upgrade: null,
    upgradeFrom,
    lastFailureAt: 0,
    startedAt: now,
    exitCode: 0,
    reason: null,
  };
}
