/**
 * The worker count's bounds as the master machine reads them from its context: the ceiling (fixed
 * mode's --max-workers, or the adaptive ceiling of master.scaling.ts), the floor, a reload's count
 * and the figures observers show. Above both the context and the scaling rules, so neither
 * imports the other.
 */
import { MAX_WORKERS, type MasterContext, type MasterSettings } from './master.context.js';
import { ceiling, memoryCeiling, roundShare, type CeilingReason, type ScalerState } from './master.scaling.js';

/** The most workers now: fixed mode's --max-workers, or the adaptive ceiling at the memory figures of `scaler` (the latest sample's). */
export function ceilingOf(ctx: MasterContext, scaler: ScalerState = ctx.scaler): { max: number; reason: CeilingReason } {
  const s = ctx.settings.scaling;
  if (!s) return { max: ctx.settings.maxWorkers ?? MAX_WORKERS, reason: 'max' };
  return ceiling(s, ctx.settings.limits, memoryCeiling(ctx.settings.limits, scaler.largestRss, scaler.masterRss));
}

/** The fewest workers: MIN, or one. */
export const floorOf = (ctx: MasterContext): number => ctx.settings.scaling?.min ?? 1;

/** A count moved into [floor, ceiling]. */
export const clampCount = (ctx: MasterContext, n: number): number => Math.max(floorOf(ctx), Math.min(ceilingOf(ctx).max, n));

/** The count a reload's new generation boots: see beginGeneration (master.setup.ts). */
export function reloadTarget(ctx: MasterContext, settings: MasterSettings): number {
  const next = { ...ctx, settings };
  if (!settings.scaling)
    return Math.min(settings.workers !== ctx.settings.workers || ctx.settings.scaling ? settings.workers : ctx.target, ceilingOf(next).max);
  return clampCount(next, ctx.target);
}

/** The adaptive count as observers show it: MIN, the ceiling now and why, the latest sample's figures; null for a fixed count. */
export function scalingFigures(ctx: MasterContext) {
  const s = ctx.settings.scaling;
  if (!s) return null;
  const { max, reason } = ceilingOf(ctx);
  const { queued, meanElu, queues } = ctx.scaler;
  return { min: s.min, max, maxReason: reason, target: ctx.target, queued, queues, meanElu: roundShare(meanElu) };
}
