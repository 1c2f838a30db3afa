/**
 * Every event the master machine accepts. Time arrives inside events (`now`, milliseconds on
 * the master's monotonic clock), so the machine is a pure function of its event sequence.
 */
import type { MasterSignalEvent } from './signals.js';
import type { MasterSettings } from './master.context.js';
import type { RecycleReason } from './protocol.js';
import type { LoadSample } from './master.scaling.js';

export interface Timed {
  now: number;
}

export type SignalEvent = Timed & { type: MasterSignalEvent };

export type MasterEvent =
  | SignalEvent
  /** The configuration was re-read for a reload (HUP). */
  | (Timed & { type: 'CONFIG_LOADED'; settings: MasterSettings })
  | (Timed & { type: 'CONFIG_FAILED'; reason: string })
  /** The process for worker `id` exists now. */
  | (Timed & { type: 'WORKER_SPAWNED'; id: number; pid: number })
  /** IPC: the worker listens and may receive traffic. */
  | (Timed & { type: 'WORKER_READY'; id: number })
  /** IPC: the worker cannot boot, and says why, before it exits. */
  | (Timed & { type: 'WORKER_FAILED'; id: number; reason: string })
  /** IPC: the worker reached a recycling limit and asks to be replaced. */
  | (Timed & { type: 'WORKER_RECYCLE'; id: number; reason: RecycleReason })
  /**
   * The worker wrote something on its channel that is not the protocol (not JSON, a line too
   * long, an unknown message): the app has the channel's fd, so this is a bug or an attack.
   */
  | (Timed & { type: 'WORKER_PROTOCOL_ERROR'; id: number; reason: string })
  /**
   * The worker process is gone (exit code, or the signal that killed it). `error`: it never
   * started (the spawn failed, or its heartbeat file could not be made), and why.
   */
  | (Timed & { type: 'WORKER_EXIT'; id: number; code: number | null; signal: string | null; error?: string })
  /** Hot upgrade, in the old master: the new master's process exists. */
  | (Timed & { type: 'UPGRADE_SPAWNED'; pid: number })
  /** IPC from the new master: every worker of its first generation is ready. */
  | (Timed & { type: 'UPGRADE_READY' })
  /** The new master is gone (or could not be started: `reason`). */
  | (Timed & { type: 'UPGRADE_EXIT'; code: number | null; signal: string | null; reason?: string })
  /** Hot upgrade, in the new master: the old master is gone (its IPC channel closed). */
  | (Timed & { type: 'PROMOTED' })
  /**
   * The master process itself met an error nothing else caught (a bug, or a server hook that
   * throws later on its own): it stops gracefully and exits 1 rather than die with its workers.
   */
  | (Timed & { type: 'FAULT'; reason: string })
  /**
   * After each periodic check: the listening sockets' accept queues and each worker's latest
   * reported load (master.scaling.ts). The adaptive count is decided on it.
   */
  | (Timed & { type: 'LOAD_SAMPLE' } & LoadSample)
  /** Periodic check: `beats` holds each live worker's latest heartbeat stamp, by worker id. */
  | (Timed & { type: 'TICK'; beats: Record<number, number> });

export type MasterEventType = MasterEvent['type'];

/** An event as its source emits it (the OS, a child, a timer): the host stamps `now` on it. */
export type Untimed<E> = E extends Timed ? Omit<E, 'now'> : never;

/** The untimed events of the given types: what each stream into the machine carries. */
export type SourceEvent<K extends MasterEventType = MasterEventType> = Untimed<Extract<MasterEvent, { type: K }>>;

/** Stamps an event with the master's time as it enters the machine. */
export const stamp = (event: SourceEvent, now: number): MasterEvent => ({ ...event, now });
