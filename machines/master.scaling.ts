/**
 * Adaptive worker count (--workers MIN:MAX): the settings, the load sample the host measures and
 * the pure rules the master machine decides with. The master holds the listening sockets, so
 * its sample carries their accept queues (connections no worker has taken yet: the first sign
 * that the workers cannot keep up), beside each worker's event-loop utilisation and memory.
 *
 * Up: `upQueue` connections or more wait at one sample (they are waiting now: no window), or the
 * queue stayed non-empty, or the ready workers' mean utilisation stayed at or above `upElu`, for
 * `upAfterMs`; one worker at a time, the next only once the last one is ready.
 * Down: nothing queued and the mean at or below `downElu` for `downAfterMs` (counted from the last
 * sample that saw load), and `cooldownMs` since the last change of the count, straight to the
 * count the load needs at the middle of the two thresholds, never below MIN. A quiet window
 * shorter than the cooldown bounds how long the extra workers outlive a peak: the cooldown.
 * The ceiling: MAX, or by default one worker per CPU the host allows (its cgroup's quota); never
 * more than its memory holds with MEMORY_HEADROOM to spare, at the largest worker's measured size.
 */
import type { WorkerHandle } from './worker-handle.js';

export interface ScalingSettings {
  /** The fewest workers (MIN); the count starts here. */
  min: number;
  /** MAX as given; null: the host's ceiling (CPUs and memory). */
  max: number | null;
  /** Mean event-loop utilisation (0..1) at or above which the workers are busy. */
  upElu: number;
  /** Mean utilisation at or below which (with nothing queued) they are quiet. */
  downElu: number;
  /** How long the load must stay high before a worker is added. */
  upAfterMs: number;
  /** Connections waiting at one sample that add a worker at once (0: only the window counts). */
  upQueue: number;
  /** How long the load must stay quiet before workers are retired. */
  downAfterMs: number;
  /** The least time between a change of the count and a retirement. */
  cooldownMs: number;
}

/** What the host allows, read at start and on each reload (its cgroup, its CPUs). */
export interface HostLimits {
  /** CPUs this process may use: the CPU quota, or the CPUs it may run on, whichever is fewer. */
  cpus: number;
  /** The memory limit in bytes (the cgroup's, else the machine's), or null when unknown. */
  memoryBytes: number | null;
}

/** One measurement, at `now`: each listening socket's queue (null: not measurable) and each worker's load. */
export interface LoadSample {
  queues: Array<{ socket: string; waiting: number | null }>;
  /**
   * By worker id, every live worker: the utilisation it reported on its last heartbeat (null: none
   * yet) and its resident memory, measured by the host, so the memory ceiling is known from the start.
   */
  workers: Record<number, { elu: number | null; rssBytes: number }>;
  masterRssBytes: number;
}

/** A utilisation as observers get it: three decimals (null stays null). */
export const roundShare = (elu: number | null): number | null => (elu === null ? null : Math.round(elu * 1000) / 1000);

/** The share of the memory limit never planned for workers: the master, the page cache, a spike. */
export const MEMORY_HEADROOM = 0.2;

export const SCALING_DEFAULTS = { upElu: 0.8, downElu: 0.2, upAfterMs: 1_000, upQueue: 8, downAfterMs: 10_000, cooldownMs: 30_000 } as const;

/** The latest figures and the scaler's clocks (plain data in the master's context). */
export interface ScalerState {
  /** When the current run of busy samples began; null when the last sample was not busy. */
  busySince: number | null;
  /** The last sample that was not quiet (the count may go down only `cooldownMs` after it). */
  loadedAt: number;
  /** The last change of the count, by the scaler or an operator (TTIN, TTOU, scale). */
  changedAt: number;
  /** The busy run that found the count at its ceiling was logged: once per run. */
  ceilingLogged: boolean;
  /** The latest sample's figures, for observers. */
  queued: number;
  meanElu: number | null;
  queues: LoadSample['queues'];
  /** The largest worker's and the master's resident size in the latest sample (0: none yet). */
  largestRss: number;
  masterRss: number;
}

export const initialScaler = (now: number): ScalerState => ({
  busySince: null,
  loadedAt: now,
  changedAt: now,
  ceilingLogged: false,
  queued: 0,
  meanElu: null,
  queues: [],
  largestRss: 0,
  masterRss: 0,
});

/** Workers whose load counts: ready, of the current generation, not on their way out. */
const counted = (workers: WorkerHandle[], generation: number) =>
  workers.filter((w) => w.phase === 'ready' && w.generation === generation && w.recycle === null);

export interface Reading {
  queued: number;
  /** Mean utilisation of the counted workers that reported; null when none did. */
  meanElu: number | null;
  sumElu: number;
  /** The largest resident size among the workers that reported, bytes (0: none). */
  largestRss: number;
  busy: boolean;
  /** So many connections wait that a worker is due without a window. */
  surge: boolean;
  quiet: boolean;
}

/** `s` absent (a fixed count): the figures only, never busy nor quiet. */
export function readSample(s: ScalingSettings | undefined, sample: LoadSample, workers: WorkerHandle[], generation: number): Reading {
  const queued = sample.queues.reduce((n, q) => n + (q.waiting ?? 0), 0);
  const loads = counted(workers, generation)
    .map((w) => sample.workers[w.id]?.elu)
    .filter((elu) => typeof elu === 'number');
  const sumElu = loads.reduce((n, elu) => n + elu, 0);
  const meanElu = loads.length ? sumElu / loads.length : null;
  const largestRss = Object.values(sample.workers).reduce((n, l) => Math.max(n, l.rssBytes), 0);
  const busy = s !== undefined && (queued > 0 || (meanElu !== null && meanElu >= s.upElu));
  const surge = s !== undefined && s.upQueue > 0 && queued >= s.upQueue;
  const quiet = s !== undefined && queued === 0 && meanElu !== null && meanElu <= s.downElu;
  return { queued, meanElu, sumElu, largestRss, busy, surge, quiet };
}

/** How many workers the memory limit holds at the largest worker's size; null: not known yet. */
export function memoryCeiling(limits: HostLimits | undefined, largestRss: number, masterRss: number): number | null {
  if (!limits?.memoryBytes || largestRss <= 0) return null;
  return Math.floor((limits.memoryBytes * (1 - MEMORY_HEADROOM) - masterRss) / largestRss);
}

/** The ceiling without the memory measurement: MAX, or one worker per CPU allowed. */
export const plannedMax = (s: Pick<ScalingSettings, 'min' | 'max'>, limits: HostLimits | undefined): number =>
  s.max ?? Math.max(s.min, Math.ceil(limits?.cpus ?? s.min));

/** Why the count cannot grow: MAX as given, the CPUs, or the memory. */
export type CeilingReason = 'max' | 'cpu' | 'memory';

export function ceiling(s: ScalingSettings, limits: HostLimits | undefined, memory: number | null): { max: number; reason: CeilingReason } {
  const planned = plannedMax(s, limits);
  if (memory !== null && memory < planned) return { max: Math.max(s.min, memory), reason: 'memory' };
  return { max: planned, reason: s.max === null ? 'cpu' : 'max' };
}

/** The count the quiet load needs at the middle of the thresholds, within MIN and `current`. */
export function neededWorkers(s: ScalingSettings, sumElu: number, current: number): number {
  const mid = (s.upElu + s.downElu) / 2;
  return Math.min(current, Math.max(s.min, Math.ceil(sumElu / mid)));
}
