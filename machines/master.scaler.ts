/**
 * The adaptive count's decisions on each LOAD_SAMPLE (the rules are in master.scaling.ts): the
 * guards of the transitions that add or retire workers, and the actions that record the sample
 * and move the target. Each decision is one log record with its reason and figures, and a
 * `scaled` fact for the observers (metrics, the inspector).
 */
import { assertEvent } from 'xstate';
import type { MasterContext } from './master.context.js';
import type { MasterEvent } from './master.events.js';
import { decide } from './master.decide.js';
import { logEffect } from './master.plan.js';
import { MSG } from './master.messages.js';
import { neededWorkers, readSample, roundShare, type Reading, type ScalerState } from './master.scaling.js';
import { ceilingOf } from './master.count.js';
import { isBooting } from './worker-handle.js';

type Sample = Extract<MasterEvent, { type: 'LOAD_SAMPLE' }>;

/** The sample read against the context, and the scaler as it is once the sample is counted. */
export function sampled(ctx: MasterContext, event: Sample): { reading: Reading; scaler: ScalerState } {
  const reading = readSample(ctx.settings.scaling, event, ctx.workers, ctx.generation);
  const busySince = reading.busy ? (ctx.scaler.busySince ?? event.now) : null;
  return {
    reading,
    scaler: {
      ...ctx.scaler,
      busySince,
      ceilingLogged: busySince !== null && ctx.scaler.ceilingLogged,
      loadedAt: reading.quiet ? ctx.scaler.loadedAt : event.now,
      queued: reading.queued,
      meanElu: reading.meanElu,
      queues: event.queues,
      largestRss: reading.largestRss,
      masterRss: event.masterRssBytes,
    },
  };
}

/** A surge, or the load stayed high for the window, and the last worker added is serving: one more is due. */
function upDue(ctx: MasterContext, event: MasterEvent): boolean {
  assertEvent(event, 'LOAD_SAMPLE');
  const s = ctx.settings.scaling;
  if (!s) return false;
  const reading = readSample(s, event, ctx.workers, ctx.generation);
  const since = ctx.scaler.busySince ?? event.now;
  // In serving.running every booting worker is of the current generation (an abandoned reload's are retired).
  const booting = ctx.workers.some(isBooting);
  return reading.busy && (reading.surge || event.now - since >= s.upAfterMs) && !booting;
}

export function loadNeedsWorker(ctx: MasterContext, event: MasterEvent): boolean {
  if (!upDue(ctx, event)) return false;
  const { scaler } = sampled(ctx, event as Sample);
  return ctx.target < ceilingOf(ctx, scaler).max;
}

/** Due, but at the ceiling: said once per busy run. */
export function loadAtCeiling(ctx: MasterContext, event: MasterEvent): boolean {
  return upDue(ctx, event) && !ctx.scaler.ceilingLogged;
}

export function loadAllowsFewer(ctx: MasterContext, event: MasterEvent): boolean {
  assertEvent(event, 'LOAD_SAMPLE');
  const s = ctx.settings.scaling;
  if (!s) return false;
  const reading = readSample(s, event, ctx.workers, ctx.generation);
  const calm = event.now - ctx.scaler.loadedAt >= s.downAfterMs && event.now - ctx.scaler.changedAt >= s.cooldownMs;
  return reading.quiet && calm && neededWorkers(s, reading.sumElu, ctx.target) < ctx.target;
}

const figures = (r: Reading) => ({ queued: r.queued, meanElu: roundShare(r.meanElu) });

export const scalerDecisions = {
  /** Every state: the sample's figures are kept for the observers, the windows move on. */
  noteLoad: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'LOAD_SAMPLE');
    // Outside serving.running no decision is taken: a busy run starts again once it serves.
    enqueue.assign({ scaler: { ...sampled(context, event).scaler, busySince: null } });
  }),
  /** serving.running: the same, and the windows count. */
  countLoad: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'LOAD_SAMPLE');
    enqueue.assign({ scaler: sampled(context, event).scaler });
  }),
  addWorkerForLoad: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'LOAD_SAMPLE');
    const { reading, scaler } = sampled(context, event);
    const to = context.target + 1;
    const reason = reading.queued > 0 ? 'accept-queue' : 'utilisation';
    // The next one needs a window of its own, counted once this one serves.
    enqueue.assign({ target: to, scaler: { ...scaler, busySince: null, changedAt: event.now } });
    enqueue(
      logEffect('info', MSG.scaleUp, {
        event: 'scale',
        direction: 'up',
        reason,
        from: context.target,
        to,
        ...figures(reading),
        max: ceilingOf(context, scaler).max,
      }),
    );
    enqueue.emit({ type: 'scaled', direction: 'up', reason, from: context.target, to, ...figures(reading) });
  }),
  logCeiling: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'LOAD_SAMPLE');
    const { reading, scaler } = sampled(context, event);
    const { max, reason } = ceilingOf(context, scaler);
    enqueue.assign({ scaler: { ...scaler, ceilingLogged: true } });
    enqueue(logEffect('warn', MSG.scaleAtCeiling, { event: 'scale', direction: 'none', reason, workers: context.target, max, ...figures(reading) }));
  }),
  retireForLoad: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'LOAD_SAMPLE');
    const { reading, scaler } = sampled(context, event);
    const to = neededWorkers(context.settings.scaling!, reading.sumElu, context.target);
    enqueue.assign({ target: to, scaler: { ...scaler, changedAt: event.now } });
    enqueue(
      logEffect('info', MSG.scaleDown, {
        event: 'scale',
        direction: 'down',
        reason: 'quiet',
        from: context.target,
        to,
        ...figures(reading),
        quietMs: Math.round(event.now - context.scaler.loadedAt),
      }),
    );
    enqueue.emit({ type: 'scaled', direction: 'down', reason: 'quiet', from: context.target, to, ...figures(reading) });
  }),
  /** TTIN, TTOU: an operator's count holds at least a cooldown before the scaler moves it. */
  scaleUp: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'TTIN');
    enqueue.assign({ target: context.target + 1, scaler: { ...context.scaler, changedAt: event.now } });
  }),
  scaleDown: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'TTOU');
    enqueue.assign({ target: context.target - 1, scaler: { ...context.scaler, changedAt: event.now } });
  }),
};
