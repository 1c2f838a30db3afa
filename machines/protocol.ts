/**
 * The wire contracts between statefork's processes, as tables both sides import: a worker's fd
 * layout, the environment variables that cross a spawn, and the only messages that cross the
 * channels (worker and master, the two masters of a hot upgrade, a daemon and its starter).
 *
 * A worker's channel is a socket pair the master parses itself: one JSON message per line, each
 * carrying `statefork: 1` (the version lets the protocol grow). The app runs in the worker and
 * can write to the channel's fd, so the master trusts nothing on it: a line longer than
 * CHANNEL_MAX_LINE, one that is not JSON, or one that is not a message below is a protocol
 * error (the worker is killed and replaced); more than CHANNEL_MAX_RATE lines in a second are
 * read later, not at once (a flood cannot take the master's loop).
 */
import { escapeControls } from './untrusted-text.js';
import {
  isConnections,
  isCount,
  isDurations,
  isLoad,
  isProxyRejections,
  PROXY_REJECTIONS,
  type Connections,
  type Durations,
  type ProxyRejections,
  type WorkerLoad,
} from './protocol.figures.js';

export {
  BUSY,
  DURATION_BUCKETS,
  isBusy,
  isCount,
  NO_CONNECTIONS,
  noProxyRejections,
  PROXY_REJECTIONS,
  type Connections,
  type Durations,
  type ProxyRejectionReason,
  type ProxyRejections,
  type WorkerLoad,
} from './protocol.figures.js';

export const PROTOCOL_VERSION = 1;

/**
 * A worker's file descriptors: stdin, stdout, stderr, its channel to the master (a socket pair),
 * the heartbeat file, the pipe its log records go to when the master writes the error log for
 * it, its watchdog thread's line to the master (the stack of a stalled main thread), then the
 * listening sockets in --bind order. Nothing else is inherited.
 */
export const WORKER_FD = { channel: 3, heartbeat: 4, log: 5, watchdog: 6, firstListener: 7 } as const;

/** The watchdog's line (WORKER_FD.watchdog) has its own table: ./watchdog-protocol.ts. */

/** A hot upgrade's new master inherits the listening sockets from this fd on (3, 4, ...). */
export const UPGRADE_FIRST_FD = 3;

/**
 * The environment variables statefork sets for its own children. Each is read and removed by
 * the child, so that no grandchild takes it for its own.
 */
export const ENV = {
  /** A worker's settings (machines/worker-settings.ts), as JSON. */
  worker: 'STATEFORK_WORKER',
  /** A hot upgrade's new master: the inherited fds ("3,4"), the --bind each was made for (JSON), and the old master's pid. */
  upgradeFds: 'STATEFORK_FD',
  upgradeBinds: 'STATEFORK_FD_BINDS',
  upgradeFrom: 'STATEFORK_UPGRADE_FROM',
  /** Set in a daemon (-D): it is the detached master, not the command that starts one. */
  daemonChild: 'STATEFORK_DAEMON_CHILD',
} as const;

/** The longest line a worker may send, newline excluded. */
export const CHANNEL_MAX_LINE = 16 * 1024;
/** Lines read from one worker per second; the rest wait in the socket (a legitimate worker sends a few). */
export const CHANNEL_MAX_RATE = 200;
/** A worker's one-line failure reason is cut to this many characters, so it always fits a line. */
export const MAX_REASON = 2000;

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
  | {
      statefork: 1;
      kind: 'stats';
      requests: number;
      durations?: Durations;
      logFailures?: number;
      connections?: Connections;
      load?: WorkerLoad;
      proxyRejected?: ProxyRejections;
    }
  /** The worker reached a recycling limit (--max-requests, --max-memory): the master decides. */
  | { statefork: 1; kind: 'recycle'; reason: RecycleReason };

export const RECYCLE_REASONS = ['max-requests', 'max-memory'] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number];

export const workerMessage = {
  ready: (): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'ready' }),
  /** The reason is the app's words: its control characters are escaped (machines/untrusted-text.ts). */
  failed: (reason: string): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'failed', reason: escapeControls(reason).slice(0, MAX_REASON) }),
  /** `logFailures`: access-log lines this worker could not write (a full disk), since it started. */
  /** `proxyRejected`: left out while every count is 0 (no proxy bind, or nothing rejected yet). */
  stats: (
    requests: number,
    durations?: Durations,
    logFailures = 0,
    connections?: Connections,
    load?: WorkerLoad,
    proxyRejected?: ProxyRejections,
  ): WorkerMessage => ({
    statefork: PROTOCOL_VERSION,
    kind: 'stats',
    requests,
    ...(durations ? { durations } : {}),
    ...(logFailures ? { logFailures } : {}),
    ...(connections ? { connections } : {}),
    ...(load ? { load } : {}),
    ...(proxyRejected && PROXY_REJECTIONS.some((k) => proxyRejected[k] > 0) ? { proxyRejected: { ...proxyRejected } } : {}),
  }),
  recycle: (reason: RecycleReason): WorkerMessage => ({ statefork: PROTOCOL_VERSION, kind: 'recycle', reason }),
};

/**
 * Why a worker drains, as the app learns it (`draining.reason` of the `statefork/worker` export):
 * a reload replaces its generation, a recycling limit replaces it, a scale-down (TTOU, `statefork
 * scale`) retires it, the master stops, or it is retired otherwise (a hot upgrade's hand-over, a
 * reload abandoned while it booted). A TERM from anyone but the master counts as a stop.
 */
export const DRAIN_REASONS = ['reload', 'retire', 'recycle', 'scale', 'stop'] as const;
export type DrainReason = (typeof DRAIN_REASONS)[number];

/**
 * From the master to a worker, just before every TERM it sends: why (`reason`), how long until
 * the master's SIGKILL (`graceMs`: the worker ends what is still open itself before then), and
 * whether the master still holds the listening sockets (`socketsHeld`: connections queued in the
 * kernel stay there for the other workers, so the worker may stop accepting at once instead of
 * sweeping the backlog). Without it (a TERM from anyone else) the worker sweeps, with its own
 * --graceful-timeout: nothing queued is lost.
 */
export type MasterMessage = { statefork: 1; kind: 'drain'; reason: DrainReason; graceMs: number; socketsHeld: boolean };

export const masterMessage = {
  drain: (reason: DrainReason, graceMs: number, socketsHeld: boolean): MasterMessage => ({
    statefork: PROTOCOL_VERSION,
    kind: 'drain',
    reason,
    graceMs,
    socketsHeld,
  }),
};

export function parseMasterMessage(raw: unknown): MasterMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.statefork !== PROTOCOL_VERSION || m.kind !== 'drain' || !DRAIN_REASONS.includes(m.reason as DrainReason)) return null;
  if (!isCount(m.graceMs) || typeof m.socketsHeld !== 'boolean') return null;
  return masterMessage.drain(m.reason as DrainReason, m.graceMs, m.socketsHeld);
}

/** One line a worker sent, read by the master: our message, or what is wrong with it. */
export type ChannelLine = { message: WorkerMessage } | { violation: string };

/** `line` without its newline; the caller has already refused lines over CHANNEL_MAX_LINE. */
export function parseWorkerLine(line: string): ChannelLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { violation: `a line that is not JSON (${JSON.stringify(line.slice(0, 40))}${line.length > 40 ? '...' : ''})` };
  }
  const message = parseWorkerMessage(raw);
  return message ? { message } : { violation: `a message that is not statefork's (${JSON.stringify(line.slice(0, 40))}${line.length > 40 ? '...' : ''})` };
}

export const tooLong = (bytes: number) => `a line over ${CHANNEL_MAX_LINE} bytes (${bytes} so far, no newline)`;

/** One line on the wire: a message and its newline. */
export const encodeMessage = (m: WorkerMessage | MasterMessage): string => `${JSON.stringify(m)}\n`;

/** Returns the message if it is one of ours, otherwise null (garbage). */
export function parseWorkerMessage(raw: unknown): WorkerMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.statefork !== PROTOCOL_VERSION) return null;
  if (m.kind === 'ready') return workerMessage.ready();
  if (m.kind === 'failed' && typeof m.reason === 'string') return workerMessage.failed(m.reason);
  if (m.kind === 'stats' && isCount(m.requests)) {
    if (m.durations !== undefined && !isDurations(m.durations)) return null;
    if (m.logFailures !== undefined && !isCount(m.logFailures)) return null;
    if (m.connections !== undefined && !isConnections(m.connections)) return null;
    if (m.load !== undefined && !isLoad(m.load)) return null;
    if (m.proxyRejected !== undefined && !isProxyRejections(m.proxyRejected)) return null;
    return workerMessage.stats(m.requests, m.durations, m.logFailures ?? 0, m.connections, m.load, m.proxyRejected);
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

/**
 * From a daemon (-D) to the command that started it, once: its first generation serves, or
 * why it could not start (its exit code and one line).
 */
export type DaemonMessage =
  { statefork: 1; kind: 'daemon-ready'; pid: number } | { statefork: 1; kind: 'daemon-failed'; exitCode: number; reason: string; pid: number };

export const daemonMessage = {
  ready: (pid: number): DaemonMessage => ({ statefork: PROTOCOL_VERSION, kind: 'daemon-ready', pid }),
  failed: (exitCode: number, reason: string, pid: number): DaemonMessage => ({ statefork: PROTOCOL_VERSION, kind: 'daemon-failed', exitCode, reason, pid }),
};

export function parseDaemonMessage(raw: unknown): DaemonMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.statefork !== PROTOCOL_VERSION || !isCount(m.pid)) return null;
  if (m.kind === 'daemon-ready') return daemonMessage.ready(m.pid);
  if (m.kind === 'daemon-failed' && isCount(m.exitCode) && typeof m.reason === 'string') return daemonMessage.failed(m.exitCode, m.reason, m.pid);
  return null;
}
