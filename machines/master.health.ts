/**
 * The answers of the master's health endpoints (--health), as pure functions of the master's
 * view: an orchestrator's probes (Kubernetes readiness, liveness and startup, a load
 * balancer's check) read the facts the machine states, never a state name.
 *
 *  - ready: at least one worker serves (ready, not told to go) and the master is neither
 *    stopping (from the moment TERM, INT or QUIT arrives, so during --drain-delay the pod
 *    leaves the rotation while its workers still serve) nor handed over to a new master. A
 *    reload keeps it ready: the old workers serve until the new ones replace them. After a hot
 *    upgrade's handover the sockets are the new master's, ready once it said so.
 *  - started: the first generation has served (the moment systemd hears READY=1), and stays so.
 *  - live: the master's periodic check ran recently: a master whose event loop or event
 *    pipeline is stuck stops answering, or answers 503.
 */
import type { MasterView } from './master.facts.js';

/** One probe's answer: `ok` is 200, else 503; `body` is its one JSON line. */
export interface ProbeAnswer {
  ok: boolean;
  body: {
    status: 'ok' | 'unavailable';
    /** Why, in words, for the person reading a failed probe. */
    reason: string;
    state: string;
    workers: { ready: number; target: number };
    generation: number;
  };
}

/** The check runs every tick (at most a second apart): this many missed ones mean a stuck master. */
export const LIVE_TICKS_MISSED = 5;
/** Never less than this, whatever the tick: a busy moment (a large scale step) is not a hang. */
export const LIVE_FLOOR_MS = 5000;

/** How long the master may go without its check before it is not live. */
export function liveLimitMs(tickMs: number): number {
  return Math.max(LIVE_FLOOR_MS, LIVE_TICKS_MISSED * tickMs);
}

/** Workers that serve: ready, and not told to go (a draining worker's phase is no longer ready). */
const readyCount = (view: MasterView) => view.context.workers.filter((w) => w.phase === 'ready').length;

function answer(view: MasterView, ok: boolean, reason: string): ProbeAnswer {
  const { context: c } = view;
  return {
    ok,
    body: { status: ok ? 'ok' : 'unavailable', reason, state: view.state, workers: { ready: readyCount(view), target: c.target }, generation: c.generation },
  };
}

export function readiness(view: MasterView): ProbeAnswer {
  const ready = readyCount(view);
  const { upgrade } = view.context;
  if (view.halted) return answer(view, false, 'the master has halted');
  // Handed over (WINCH, or a stop after it): the address still answers for the sockets, which the
  // new master's workers serve, until it takes the address over once this master is gone.
  if ((view.handedOver || view.stopping) && upgrade?.ready)
    return answer(view, true, `handed over: the new master (pid ${upgrade.pid}) serves on the same sockets`);
  if (view.stopping) return answer(view, false, 'the master is stopping: out of rotation while its workers finish');
  if (view.handedOver) return answer(view, false, 'handed over to a new master that is not ready yet: nobody serves');
  if (view.booting) return answer(view, false, `the first workers are booting: ${ready} of ${view.context.target} ready`);
  if (ready === 0) return answer(view, false, `no worker is ready (0 of ${view.context.target}): they are booting, crashed or backing off`);
  return answer(view, true, `${ready} of ${view.context.target} workers ready`);
}

/** `served`: the first generation has served (a MasterStep's `ready` was seen). */
export function startup(view: MasterView, served: boolean): ProbeAnswer {
  if (served) return answer(view, true, 'the first workers served');
  if (view.booting) return answer(view, false, 'the first workers are booting');
  return answer(view, false, 'the first workers never served: the master is stopping');
}

/** `sinceCheckMs`: how long ago the master's periodic check last ran; `tickMs`: its period. */
export function liveness(view: MasterView, sinceCheckMs: number, tickMs: number): ProbeAnswer {
  const limit = liveLimitMs(tickMs);
  if (sinceCheckMs > limit)
    return answer(view, false, `the master's periodic check last ran ${Math.round(sinceCheckMs)} ms ago (limit ${limit} ms): its event pipeline is stuck`);
  return answer(view, true, 'the master runs its checks');
}
