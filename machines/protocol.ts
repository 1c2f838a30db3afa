/**
 * The IPC protocol between a worker and its master, and between the two masters of a hot
 * upgrade: the only messages that cross the channels.
 * Every message carries `statefork: 1` so that an app's own `process.send()` traffic is never
 * mistaken for ours (and the version lets the protocol grow).
 */
export const PROTOCOL_VERSION = 1;

export type WorkerMessage =
  /** The worker's app is loaded and it listens on every socket: it may now receive traffic. */
  | { statefork: 1; kind: 'ready' }
  /** The worker is about to exit because it could not boot; `reason` is one line for the log. */
  | { statefork: 1; kind: 'failed'; reason: string }
  /**
   * Requests served so far, and how long they took (counts per DURATION_BUCKETS bucket, the last
   * one above them all, and their sum in seconds), both since the worker started: for display
   * and metrics, no decision depends on them.
   */
  | { statefork: 1; kind: 'stats'; requests: number; durations?: Durations }
  /** The worker reached a recycling limit (--max-requests, --max-memory): the master decides. */
  | { statefork: 1; kind: 'recycle'; reason: RecycleReason };

/** Upper bounds (seconds) of the request duration histogram's buckets, Prometheus's defaults. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
export interface Durations {
  counts: number[];
  sum: number;
}

const isDurations = (d: unknown): d is Durations => {
  const x = d as Durations;
  return typeof x === 'object' && x !== null && Array.isArray(x.counts) && x.counts.length === DURATION_BUCKETS.length + 1
    && x.counts.every((n) => Number.isSafeInteger(n) && n >= 0) && typeof x.sum === 'number' && Number.isFinite(x.sum) && x.sum >= 0;
};

export const RECYCLE_REASONS = ['max-requests', 'max-memory'] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number];

export const workerMessage = {
  ready: (): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'ready' }),
  failed: (reason: string): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'failed', reason }),
  stats: (requests: number, durations?: Durations): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'stats', requests, ...(durations ? { durations } : {}) }),
  recycle: (reason: RecycleReason): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'recycle', reason }),
};

/**
 * From the master to a worker, just before a TERM that retires it (reload, TTOU) while the
 * master still holds the listening sockets: connections queued in the kernel stay there for
 * the other workers, so the worker may stop accepting at once instead of sweeping the backlog.
 * Without it (a stop, or a TERM from anyone else) the worker sweeps: nothing queued is lost.
 */
export type MasterMessage = { statefork: 1; kind: 'sockets-held' };

export const masterMessage = {
  socketsHeld: (): MasterMessage => ({ statefork: PROTOCOL_VERSION, kind: 'sockets-held' }),
};

export function parseMasterMessage(raw: unknown): MasterMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  return m.statefork === PROTOCOL_VERSION && m.kind === 'sockets-held' ? masterMessage.socketsHeld() : null;
}

/** Returns the message if it is one of ours, otherwise null (app traffic, garbage). */
export function parseWorkerMessage(raw: unknown): WorkerMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.statefork !== PROTOCOL_VERSION) return null;
  if (m.kind === 'ready') return workerMessage.ready();
  if (m.kind === 'failed' && typeof m.reason === 'string') return workerMessage.failed(m.reason);
  if (m.kind === 'stats' && Number.isSafeInteger(m.requests) && (m.requests as number) >= 0) {
    if (m.durations !== undefined && !isDurations(m.durations)) return null;
    return workerMessage.stats(m.requests as number, m.durations as Durations | undefined);
  }
  if (m.kind === 'recycle' && RECYCLE_REASONS.includes(m.reason as RecycleReason)) return workerMessage.recycle(m.reason as RecycleReason);
  return null;
}

/**
 * From the new master of a hot upgrade (USR2) to the old one, its parent: every worker of its
 * first generation is ready. The old master's --upgrade-auto acts on it.
 */
export type UpgradeMessage = { statefork: 1; kind: 'upgrade-ready' };

export const upgradeMessage = {
  ready: (): UpgradeMessage => ({ statefork: PROTOCOL_VERSION, kind: 'upgrade-ready' }),
};

export function parseUpgradeMessage(raw: unknown): UpgradeMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  return m.statefork === PROTOCOL_VERSION && m.kind === 'upgrade-ready' ? upgradeMessage.ready() : null;
}
