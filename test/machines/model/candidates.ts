/**
 * The events the world can produce in a given master snapshot: every signal, and for each worker
 * what a real process in its phase could do next. Time is derived from the snapshot (the latest
 * time it has seen), so paths stay pure and replayable. This one list drives the graph
 * traversal, the simulated-world replay and the property tests.
 *
 * Bounds (so traversal terminates): the target stays within 1..2 (--max-workers 2), at most two
 * reloads (HUP only while the generation is below 3), failures count only as "none / some".
 * Hot upgrades are explored only when asked (`upgrades`), with bounds of their own.
 */
import type { MasterContext, MasterSettings } from '../../../machines/master.context.js';
import type { MasterEvent } from '../../../machines/master.events.js';
import type { masterMachine } from '../../../machines/master.machine.js';
import type { SnapshotFrom } from 'xstate';
import { stateName } from '../../../machines/state-name.js';

export type MasterSnapshot = SnapshotFrom<typeof masterMachine>;

export const MAX_TARGET = 2;
/** --max-workers is the traversal's bound on the target: TTIN at it is refused by the machine. */
export const MODEL_SETTINGS: MasterSettings = { workers: 1, timeoutMs: 30_000, gracefulTimeoutMs: 30_000, bootTimeoutMs: 60_000, maxWorkers: MAX_TARGET };
export const MAX_GENERATION = 2;
/** The adaptive traversal's settings: MIN 1, MAX 2, short windows (the times only need an order). */
export const ADAPTIVE_MODEL_SETTINGS: MasterSettings = {
  workers: 1,
  timeoutMs: 30_000,
  gracefulTimeoutMs: 30_000,
  bootTimeoutMs: 60_000,
  scaling: { min: 1, max: MAX_TARGET, upElu: 0.8, downElu: 0.2, upAfterMs: 1_000, upQueue: 8, downAfterMs: 3_000, cooldownMs: 5_000 },
  limits: { cpus: 2, memoryBytes: null },
};

/** The latest time the snapshot has seen: events are stamped at or after it. */
export function clockOf(ctx: MasterContext): number {
  let t = ctx.startedAt;
  for (const w of ctx.workers) t = Math.max(t, w.spawnedAt, w.readyAt ?? 0, w.beatAt);
  const { busySince, loadedAt, changedAt } = ctx.scaler;
  return Math.max(t, ctx.lastFailureAt, busySince ?? 0, loadedAt, changedAt);
}

/** Model event names that stand for one kind of world event, for reports and coverage. */
export function describeEvent(e: MasterEvent): string {
  switch (e.type) {
    case 'WORKER_EXIT':
      return `WORKER_EXIT(${e.signal ?? `code ${e.code}`})`;
    case 'UPGRADE_EXIT':
      return `UPGRADE_EXIT(code ${e.code})`;
    case 'TICK':
    case 'LOAD_SAMPLE':
      return (e as MasterEvent & { kind?: string }).kind ?? e.type;
    default:
      return e.type;
  }
}

/**
 * Load samples: a light one (neither busy nor quiet) always; with `load`, also a surge (a queue
 * deep enough to add a worker at once), a busy one (a short queue, every worker saturated) after
 * the up window and a quiet one after the quiet window and the cooldown.
 */
function samples(ctx: MasterContext, now: number, load: boolean): MasterEvent[] {
  const at = (elu: number, waiting: number, after: number, kind: string) => {
    const workers: Record<number, { elu: number; rssBytes: number }> = {};
    for (const w of ctx.workers) workers[w.id] = { elu, rssBytes: 50_000_000 };
    return {
      type: 'LOAD_SAMPLE',
      now: now + after,
      queues: [{ socket: 'http://127.0.0.1:8000', waiting }],
      workers,
      masterRssBytes: 60_000_000,
      kind,
    } as MasterEvent;
  };
  const s = ctx.settings.scaling;
  const light = at(0.5, 0, 0, 'LOAD_SAMPLE(light)');
  if (!load || !s) return [light];
  return [
    light,
    at(1, s.upQueue, 0, 'LOAD_SAMPLE(surge)'),
    at(1, 3, s.upAfterMs, 'LOAD_SAMPLE(busy)'),
    at(0, 0, Math.max(s.downAfterMs, s.cooldownMs), 'LOAD_SAMPLE(quiet)'),
  ];
}

/** `upgrades`: include USR2 while serving, and so everything a new master can do. `load`: every load sample. */
export function candidates(s: MasterSnapshot, upgrades = false, load = false): MasterEvent[] {
  if (s.status !== 'active') return [];
  const ctx = s.context;
  const now = clockOf(ctx);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- each event keeps its own literal type
  const at = <T extends object>(e: T) => ({ ...e, now }) as unknown as MasterEvent;
  const out: MasterEvent[] = [];
  // Node reports a spawn (or its failure) on the very next tick: right after USR2 nothing else
  // can happen first.
  if (ctx.upgrade?.pid === null)
    return [at({ type: 'UPGRADE_SPAWNED', pid: 900 }), at({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: 'spawn ENOENT' })];
  // Loading the configuration takes a while (a JS file is imported): anything can happen meanwhile.
  if (stateName(s.value) === 'serving.reloading.configuring') {
    out.push(at({ type: 'CONFIG_LOADED', settings: ctx.settings }), at({ type: 'CONFIG_FAILED', reason: 'bad value' }));
  }
  for (const type of ['TERM', 'INT', 'QUIT', 'TTOU', 'USR1', 'WINCH'] as const) out.push(at({ type }));
  // USR2 while serving starts a hot upgrade, a whole second space of states: only when asked.
  if (upgrades || !stateName(s.value).startsWith('serving')) out.push(at({ type: 'USR2' }));
  // The new master of a hot upgrade: it reports ready, and may exit at any point.
  if (ctx.upgrade) {
    if (!ctx.upgrade.ready) out.push(at({ type: 'UPGRADE_READY' }));
    out.push(at({ type: 'UPGRADE_EXIT', code: ctx.upgrade.ready ? 0 : 4, signal: null }));
  }
  out.push(at({ type: 'TTIN' }));
  if (ctx.generation <= MAX_GENERATION) out.push(at({ type: 'HUP' }));
  // The master's last-resort handler can fire at any moment (a hook's late throw, a bug).
  out.push(at({ type: 'FAULT', reason: 'uncaught' }));
  for (const w of ctx.workers) {
    const id = w.id;
    // Any running process can write garbage on its channel (the app holds the fd), once.
    if (w.pid !== null && w.cause !== 'protocol') out.push(at({ type: 'WORKER_PROTOCOL_ERROR', id, reason: 'not JSON' }));
    switch (w.phase) {
      case 'spawning':
        out.push(at({ type: 'WORKER_SPAWNED', id, pid: 1000 + id }));
        break;
      case 'booting':
        out.push(at({ type: 'WORKER_READY', id }));
        out.push(at({ type: 'WORKER_EXIT', id, code: 4, signal: null }), at({ type: 'WORKER_EXIT', id, code: 3, signal: null }));
        break;
      case 'ready':
        out.push(at({ type: 'WORKER_EXIT', id, code: 1, signal: null }));
        // At most once per worker, as a real worker asks (--max-requests, --max-memory).
        if (!w.recycle) out.push(at({ type: 'WORKER_RECYCLE', id, reason: 'max-requests' }));
        break;
      case 'draining':
      case 'quitting':
        out.push(at({ type: 'WORKER_EXIT', id, code: 0, signal: null }));
        break;
      case 'aborting':
        out.push(at({ type: 'WORKER_EXIT', id, code: 1, signal: null }));
        break;
      case 'killed':
        out.push(at({ type: 'WORKER_EXIT', id, code: null, signal: 'SIGKILL' }));
        break;
    }
  }
  out.push(...samples(ctx, now, load));
  if (ctx.workers.length) {
    const beating: Record<number, number> = {};
    for (const w of ctx.workers) beating[w.id] = now + 1000;
    out.push({ type: 'TICK', now: now + 1000, beats: beating, kind: 'TICK(beats)' } as MasterEvent);
    // Nobody's heartbeat moved for longer than the timeout: hung workers.
    const silent: Record<number, number> = {};
    for (const w of ctx.workers) if (w.beat !== null) silent[w.id] = w.beat;
    out.push({ type: 'TICK', now: now + ctx.settings.timeoutMs + 1, beats: silent, kind: 'TICK(silent)' } as MasterEvent);
    const deadlines = ctx.workers.map((w) => w.deadline).filter((d): d is number => d !== null);
    if (deadlines.length) {
      const late = Math.max(...deadlines) + 1;
      const beats: Record<number, number> = {};
      for (const w of ctx.workers) beats[w.id] = late;
      out.push({ type: 'TICK', now: late, beats, kind: 'TICK(deadline passed)' } as MasterEvent);
    }
  }
  return out;
}

/** Coarse state identity: the state, the counts, and each worker's phase and generation, no times. */
export function serialize(s: MasterSnapshot): string {
  const ctx = s.context;
  const workers = ctx.workers.map((w) => `${w.generation === ctx.generation ? 'cur' : 'old'}:${w.phase}:${w.cause ?? '-'}`).sort();
  const upgrade = ctx.upgrade ? (ctx.upgrade.ready ? 'ready' : ctx.upgrade.pid === null ? 'starting' : 'booting') : 'none';
  return JSON.stringify([
    stateName(s.value),
    s.status,
    ctx.target,
    ctx.generation,
    ctx.failures > 0,
    ctx.reloadQueued,
    ctx.exitCode,
    ctx.hasServed,
    upgrade,
    workers,
    ctx.scaler.busySince !== null,
  ]);
}

export const serializeEvent = (e: MasterEvent) =>
  JSON.stringify({ ...e, now: undefined, kind: undefined, beats: undefined, settings: undefined, workers: undefined, queues: undefined, d: describeEvent(e) });
