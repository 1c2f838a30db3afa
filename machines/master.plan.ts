/**
 * The master's decisions as pure functions of (context, now): which workers to spawn, retire,
 * abort or kill. The machine's actions apply a plan's new worker list and enqueue its effects;
 * the runtime in src/ only carries the effects out.
 */
import { backoffDelay, QUICK_STOP_MS, socketsHeld, STABLE_MS, type MasterContext } from './master.context.js';
import { drainReason, freeSlot, isBooting, isServing, newHandle, signalled, type StopCause, type WorkerHandle } from './worker-handle.js';
import type { EffectCall, LogLevel } from './master.effects.js';
import { MSG } from './master.messages.js';

export type { LogLevel, LogParams } from './master.effects.js';

/** A log effect: what every decision says, in one shape. */
export const logEffect = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => ({ type: 'log' as const, params: { level, msg, ...fields } });

/** What a plan asks the host to do. */
export type Effect = EffectCall<'spawnWorker' | 'signalWorker' | 'log'>;

export interface Plan {
  workers: WorkerHandle[];
  nextId: number;
  effects: Effect[];
}

const byAge = (a: WorkerHandle, b: WorkerHandle) => a.id - b.id;
/** Retirement order: workers not ready yet first (they serve nobody), then the oldest. */
const retireOrder = (a: WorkerHandle, b: WorkerHandle) => Number(a.phase === 'ready') - Number(b.phase === 'ready') || byAge(a, b);

function send(
  plan: Plan,
  ctx: MasterContext,
  w: WorkerHandle,
  signal: 'SIGTERM' | 'SIGQUIT' | 'SIGABRT' | 'SIGKILL',
  cause: StopCause,
  deadline: number | null,
  now: number,
) {
  const told = signalled(w, signal, cause, deadline);
  plan.workers = plan.workers.map((x) => (x.id === w.id ? told : x));
  // Whole milliseconds: the master's clock has fractions, and the note carries a count.
  const drain = signal === 'SIGTERM' ? { reason: drainReason(told, ctx.generation), graceMs: Math.max(0, Math.round((told.deadline ?? now) - now)) } : null;
  plan.effects.push({ type: 'signalWorker', params: { id: w.id, workerPid: w.pid, signal, socketsHeld: signal === 'SIGTERM' && socketsHeld(ctx), drain } });
}

/** Retiring is always graceful: SIGTERM, then SIGKILL once the graceful timeout has passed. */
function retire(plan: Plan, ctx: MasterContext, w: WorkerHandle, now: number, cause: StopCause = 'retire') {
  send(plan, ctx, w, 'SIGTERM', cause, now + ctx.settings.gracefulTimeoutMs, now);
}

export function spawnAllowed(ctx: MasterContext, now: number): boolean {
  return now >= ctx.lastFailureAt + backoffDelay(ctx.failures);
}

/**
 * Converge the worker set on the target, in three rules that hold in every serving state:
 * 1. spawn current-generation workers until booting + ready reach the target (unless backing off);
 * 2. retire older-generation workers only while ready new ones + old ones exceed the target,
 *    so a reload never leaves fewer ready workers than the target (readiness-gated); a worker
 *    being recycled counts as older-generation: its replacement boots first;
 * 3. retire current workers above the target (TTOU): one still booting if any, else the oldest.
 * Rules 2 and 3 retire workers that are not ready yet first: they serve nobody.
 * A worker spawned while older ones it replaces still serve (a reload, a recycle) may take its
 * time and yield the CPU to them (`yieldCpu`); one that replaces lost capacity may not.
 */
export function reconcile(ctx: MasterContext, now: number): Plan {
  const plan: Plan = { workers: [...ctx.workers], nextId: ctx.nextId, effects: [] };
  const outgoing = (w: WorkerHandle) => w.generation !== ctx.generation || w.recycle !== null;
  const current = ctx.workers.filter((w) => !outgoing(w) && isServing(w));
  const stale = ctx.workers.filter((w) => outgoing(w) && isServing(w)).sort(retireOrder);

  if (spawnAllowed(ctx, now)) {
    const yieldCpu = stale.length > 0;
    for (let n = current.length; n < ctx.target; n++) {
      const id = plan.nextId++;
      plan.workers.push(newHandle(id, freeSlot(plan.workers), ctx.generation, now));
      plan.effects.push({ type: 'spawnWorker', params: { id, generation: ctx.generation, yieldCpu } });
    }
  }
  const readyCurrent = current.filter((w) => w.phase === 'ready').length;
  let excessStale = readyCurrent + stale.length - ctx.target;
  for (const w of stale) {
    if (excessStale-- <= 0) break;
    retire(plan, ctx, w, now, w.recycle ? 'recycle' : 'retire');
  }
  const surplus = [...current].sort(retireOrder).slice(0, Math.max(0, current.length - ctx.target));
  for (const w of surplus) retire(plan, ctx, w, now);
  return plan;
}

/**
 * The periodic check (gunicorn's murder_workers, and more): kill workers past their deadline,
 * kill workers that never became ready, abort workers whose heartbeat stopped.
 */
export function watch(ctx: MasterContext, now: number, beats: Record<number, number>): Plan {
  const plan: Plan = { workers: [], nextId: ctx.nextId, effects: [] };
  const { timeoutMs, bootTimeoutMs } = ctx.settings;
  for (const original of ctx.workers) {
    let w = original;
    const beat = beats[w.id];
    if (beat !== undefined && beat !== w.beat) w = { ...w, beat, beatAt: now };
    plan.workers.push(w);
    if (w.phase === 'killed') continue;
    if (w.deadline !== null && now > w.deadline) {
      plan.effects.push(logEffect('warn', MSG.killedAfterDeadline, { id: w.id, workerPid: w.pid }));
      send(plan, ctx, w, 'SIGKILL', w.cause ?? 'stop', null, now);
    } else if (isBooting(w) && bootTimeoutMs > 0 && now - w.spawnedAt > bootTimeoutMs) {
      plan.effects.push(logEffect('error', MSG.bootTimeout, { id: w.id, workerPid: w.pid, bootTimeoutMs }));
      send(plan, ctx, w, 'SIGKILL', 'boot-timeout', null, now);
    } else if (!isBooting(w) && w.phase !== 'aborting' && timeoutMs > 0 && now - w.beatAt > timeoutMs) {
      plan.effects.push(logEffect('error', MSG.workerTimeout, { id: w.id, workerPid: w.pid, silentMs: now - w.beatAt }));
      // SIGABRT lets a live worker log a stack; one that is still there on the next tick is killed.
      send(plan, ctx, w, 'SIGABRT', 'timeout', now, now);
    }
  }
  return plan;
}

/**
 * Workers that have not been told to go yet get `signal`; the others keep the sooner deadline.
 * `cause` 'handover': a hot upgrade's WINCH retires them for the new master's workers.
 */
export function stopAll(ctx: MasterContext, now: number, quick: boolean, cause: StopCause = 'stop'): Plan {
  const plan: Plan = { workers: [...ctx.workers], nextId: ctx.nextId, effects: [] };
  const deadline = now + (quick ? Math.min(QUICK_STOP_MS, ctx.settings.gracefulTimeoutMs) : ctx.settings.gracefulTimeoutMs);
  for (const w of ctx.workers) {
    if (w.phase === 'killed' || w.phase === 'quitting') continue;
    if (!quick && !isServing(w)) continue;
    send(plan, ctx, w, quick ? 'SIGQUIT' : 'SIGTERM', cause, Math.min(deadline, w.deadline ?? Infinity), now);
  }
  return plan;
}

/** A reload whose new workers cannot boot is abandoned: the old generation stays current. */
export function abandonReload(ctx: MasterContext, now: number): Plan {
  const plan: Plan = { workers: [], nextId: ctx.nextId, effects: [] };
  plan.workers = ctx.workers.map((w) => (w.generation === ctx.generation && w.phase === 'ready' ? { ...w, generation: ctx.previousGeneration } : w));
  for (const w of plan.workers) {
    if (w.generation === ctx.generation && isBooting(w)) retire(plan, ctx, w, now, 'reload-abandoned');
  }
  return plan;
}

/** A failure is forgiven once a worker spawned after it has stayed ready for STABLE_MS. */
export function isStableAfterFailures(ctx: MasterContext, now: number): boolean {
  return (
    ctx.failures > 0 && ctx.workers.some((w) => w.phase === 'ready' && w.spawnedAt >= ctx.lastFailureAt && w.readyAt !== null && now - w.readyAt >= STABLE_MS)
  );
}
