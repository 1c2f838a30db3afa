/**
 * The master's Prometheus metrics (--metrics), with prom-client: the state of the master machine
 * read at scrape time (workers by state, target, heartbeat ages), counters moved by each step of
 * the machine (worker exits by reason, boot failures, reloads by outcome, transitions by event),
 * the workers' request counts and durations added up, and the master's own process metrics.
 */
import client from 'prom-client';
import type { MasterContext } from '../../machines/master.context.js';
import type { WorkerHandle, WorkerPhase } from '../../machines/worker-handle.js';
import { stateName } from '../transition-log.js';
import { DurationHistogram } from './duration-histogram.js';
import type { RequestStats } from './request-stats.js';

const PHASES: WorkerPhase[] = ['spawning', 'booting', 'ready', 'draining', 'quitting', 'aborting', 'killed'];

type Snapshot = { value: unknown; context: unknown };
const ctxOf = (s: Snapshot) => s.context as MasterContext;
const stateOf = (s: Snapshot) => stateName(s.value as never);

/** Why a worker is gone, in the words of the exits counter. */
export function exitReason(w: WorkerHandle, ctx: MasterContext): string {
  switch (w.cause) {
    case 'recycle': return 'recycled';
    case 'timeout': return 'timeout';
    case 'boot-timeout': return 'boot_failure';
    case 'stop': return 'stop';
    case 'handover': return 'upgrade';
    case 'reload-abandoned': return 'reload';
    case 'retire': return w.generation !== ctx.generation ? 'reload' : 'scale';
    default: return w.readyAt === null ? 'boot_failure' : 'crash';
  }
}

/** How a reload ended, when this step ended one; null otherwise. */
export function reloadOutcome(prev: Snapshot, next: Snapshot, cause: string): string | null {
  if (!stateOf(prev).startsWith('serving.reloading') || stateOf(next).startsWith('serving.reloading')) return null;
  if (cause === 'CONFIG_FAILED') return 'config_failed';
  if (!stateOf(next).startsWith('serving')) return 'interrupted';
  return ctxOf(next).generation < ctxOf(prev).generation ? 'abandoned' : 'completed';
}

export class MasterMetrics {
  readonly registry = new client.Registry();
  private readonly exits: client.Counter<'reason'>;
  private readonly bootFailures: client.Counter;
  private readonly reloads: client.Counter<'outcome'>;
  private readonly transitions: client.Counter<'event' | 'to'>;

  constructor(source: { snapshot(): Snapshot; stats: RequestStats; now(): number; logFailures?: () => Record<string, number> }) {
    const registers = [this.registry];
    const ctx = () => ctxOf(source.snapshot());
    new client.Gauge({
      name: 'statefork_workers', help: 'Worker processes by the state the master sees them in.', labelNames: ['state'], registers,
      collect() { for (const p of PHASES) this.set({ state: p }, ctx().workers.filter((w) => w.phase === p).length); },
    });
    new client.Gauge({ name: 'statefork_workers_target', help: 'The number of workers the master aims for (--workers, TTIN, TTOU, scale).', registers, collect() { this.set(ctx().target); } });
    new client.Gauge({
      name: 'statefork_master_state', help: 'The master machine\'s state: 1 for the current one.', labelNames: ['state'], registers,
      collect() { this.reset(); this.set({ state: stateOf(source.snapshot()) }, 1); },
    });
    new client.Gauge({
      name: 'statefork_worker_heartbeat_age_seconds', help: 'Seconds since each ready worker\'s heartbeat last moved.', labelNames: ['worker'], registers,
      collect() {
        this.reset();
        const now = source.now();
        for (const w of ctx().workers) if (w.readyAt !== null && w.phase !== 'killed') this.set({ worker: String(w.id) }, (now - w.beatAt) / 1000);
      },
    });
    new client.Counter({
      name: 'statefork_requests_total', help: 'Requests received by the workers (live ones and those gone).', registers,
      collect() { this.reset(); this.inc(source.stats.totals().requests); },
    });
    new client.Counter({
      name: 'statefork_log_write_failures_total', help: 'Log lines that could not be written (a full disk, a closed stream), by log: error, access, record.', labelNames: ['log'], registers,
      collect() {
        this.reset();
        const counts = source.logFailures?.() ?? {};
        for (const log of ['error', 'access', 'record']) this.inc({ log }, counts[log] ?? 0);
      },
    });
    this.registry.registerMetric(new DurationHistogram('statefork_request_duration_seconds', 'How long the workers took to answer requests, in seconds.', () => source.stats.totals().durations) as never);
    this.exits = new client.Counter({ name: 'statefork_worker_exits_total', help: 'Worker exits by reason: crash, timeout, boot_failure, recycled, reload, scale, upgrade, stop.', labelNames: ['reason'], registers });
    this.bootFailures = new client.Counter({ name: 'statefork_worker_boot_failures_total', help: 'Workers that exited before they were ready.', registers });
    this.reloads = new client.Counter({ name: 'statefork_reloads_total', help: 'Reloads (HUP) by outcome: completed, abandoned, config_failed, interrupted.', labelNames: ['outcome'], registers });
    this.transitions = new client.Counter({ name: 'statefork_master_transitions_total', help: 'State changes of the master machine, by the event that caused them and the state reached.', labelNames: ['event', 'to'], registers });
    // Every reason and outcome from the start, at 0: a rate over a series that appears late is wrong.
    for (const reason of ['crash', 'timeout', 'boot_failure', 'recycled', 'reload', 'scale', 'upgrade', 'stop']) this.exits.inc({ reason }, 0);
    for (const outcome of ['completed', 'abandoned', 'config_failed', 'interrupted']) this.reloads.inc({ outcome }, 0);
    client.collectDefaultMetrics({ register: this.registry });
  }

  /** One step of the master machine. */
  step(prev: Snapshot | null, next: Snapshot, cause: string): void {
    if (!prev) return;
    const [before, after] = [ctxOf(prev), ctxOf(next)];
    const remaining = new Set(after.workers.map((w) => w.id));
    for (const w of before.workers) {
      if (remaining.has(w.id)) continue;
      const reason = exitReason(w, after);
      this.exits.inc({ reason });
      if (reason === 'boot_failure') this.bootFailures.inc();
    }
    const outcome = reloadOutcome(prev, next, cause);
    if (outcome) this.reloads.inc({ outcome });
    if (stateOf(prev) !== stateOf(next)) this.transitions.inc({ event: cause, to: stateOf(next) });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
