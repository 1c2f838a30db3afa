/**
 * The master's Prometheus metrics (--metrics), with prom-client: the state of the master machine
 * read at scrape time (workers by state, target, heartbeat ages), counters moved by each step of
 * the machine (worker exits by reason, boot failures, reloads by outcome, transitions by event),
 * the workers' request counts and durations added up, and the master's own process metrics.
 * Per-worker series are labelled by the worker's slot (machines/worker-handle.ts), never its id
 * or pid: a fleet's series stay bounded however many workers come and go. With --name, every
 * series carries it as the label `name`.
 */
import client from 'prom-client';
import { scalingMetrics } from './scaling-metrics.js';
import { guardMetrics, type GuardCounts } from './guard-metrics.js';
import type { MasterStep, MasterView } from '../../machines/master.facts.js';
import type { ExitReason, WorkerPhase } from '../../machines/worker-handle.js';
import { PROXY_REJECTIONS, type WorkerLoad } from '../../machines/protocol.js';
import { DurationHistogram } from './duration-histogram.js';
import type { RequestStats } from './request-stats.js';

const PHASES: WorkerPhase[] = ['spawning', 'booting', 'ready', 'draining', 'quitting', 'aborting', 'killed'];

/** The exits counter's words for the machine's exit reasons (both boot failures are one). */
export const EXIT_LABEL: Record<ExitReason, string> = {
  'app-load-error': 'boot_failure',
  'boot-failure': 'boot_failure',
  crash: 'crash',
  timeout: 'timeout',
  recycled: 'recycled',
  reload: 'reload',
  scale: 'scale',
  upgrade: 'upgrade',
  stop: 'stop',
};
const EXIT_LABELS = [...new Set(Object.values(EXIT_LABEL))];

export class MasterMetrics {
  readonly registry = new client.Registry();
  private readonly exits: client.Counter<'reason'>;
  private readonly bootFailures: client.Counter;
  private readonly reloads: client.Counter<'outcome'>;
  private readonly transitions: client.Counter<'event' | 'to'>;
  private readonly scaled: (facts: MasterStep['scaled']) => void;

  constructor(source: {
    view(): MasterView;
    stats: RequestStats;
    now(): number;
    logFailures?: () => Record<string, number>;
    hangs?: { counts: { withStack: number; withoutStack: number } };
    guards?: () => GuardCounts;
    name?: string | null;
  }) {
    const registers = [this.registry];
    if (source.name) this.registry.setDefaultLabels({ name: source.name });
    const ctx = () => source.view().context;
    /** Each live worker's slot, by id: the workers' reports are keyed by id. */
    const slots = () => new Map(ctx().workers.map((w) => [w.id, String(w.slot)]));
    function* bySlot<T>(entries: Iterable<[number, T]>): Generator<[string, T]> {
      const slot = slots();
      for (const [id, value] of entries) {
        const s = slot.get(id);
        if (s !== undefined) yield [s, value];
      }
    }
    new client.Gauge({
      name: 'statefork_workers',
      help: 'Worker processes by the state the master sees them in.',
      labelNames: ['state'],
      registers,
      collect() {
        for (const p of PHASES) this.set({ state: p }, ctx().workers.filter((w) => w.phase === p).length);
      },
    });
    new client.Gauge({
      name: 'statefork_workers_target',
      help: 'The number of workers the master aims for (--workers, TTIN, TTOU, scale, the adaptive count).',
      registers,
      collect() {
        this.set(ctx().target);
      },
    });
    this.scaled = scalingMetrics(registers, ctx);
    new client.Gauge({
      name: 'statefork_master_state',
      help: "The master machine's state: 1 for the current one.",
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        this.set({ state: source.view().state }, 1);
      },
    });
    new client.Gauge({
      name: 'statefork_worker_connections',
      help: 'Open connections of each live worker (by slot) by kind: upgraded (WebSocket and other upgrades), streaming (responses still sending: SSE, chunked), other (keep-alive, requests in progress).',
      labelNames: ['slot', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const [slot, c] of bySlot(source.stats.connections())) {
          this.set({ slot, kind: 'upgraded' }, c.upgraded);
          this.set({ slot, kind: 'streaming' }, c.streaming);
          this.set({ slot, kind: 'other' }, c.open - c.upgraded - c.streaming);
        }
      },
    });
    const perWorker = (name: string, help: string, value: (l: WorkerLoad) => number) =>
      new client.Gauge({
        name,
        help,
        labelNames: ['slot'],
        registers,
        collect() {
          this.reset();
          for (const [slot, l] of bySlot(source.stats.load())) this.set({ slot }, value(l));
        },
      });
    new client.Counter({
      name: 'statefork_worker_hangs_total',
      help: 'Workers aborted for a silent heartbeat (--timeout), by whether their JavaScript stack was taken (javascript) or not (none: blocked in a system call, or --no-hang-stacks).',
      labelNames: ['stack'],
      registers,
      collect() {
        this.reset();
        const counts = source.hangs?.counts ?? { withStack: 0, withoutStack: 0 };
        this.inc({ stack: 'javascript' }, counts.withStack);
        this.inc({ stack: 'none' }, counts.withoutStack);
      },
    });
    perWorker('statefork_worker_event_loop_utilization', "Share of the last heartbeat interval each worker's event loop was busy (0 to 1).", (l) => l.elu);
    perWorker('statefork_worker_resident_memory_bytes', "Each worker's resident memory, as it last reported.", (l) => l.rssBytes);
    perWorker('statefork_worker_heap_used_bytes', "Each worker's V8 heap in use, as it last reported.", (l) => l.heapUsedBytes);
    new client.Gauge({
      name: 'statefork_worker_event_loop_delay_seconds',
      help: "Each worker's event-loop delay over its last heartbeat interval, by quantile (0.5, 0.99).",
      labelNames: ['slot', 'quantile'],
      registers,
      collect() {
        this.reset();
        for (const [slot, l] of bySlot(source.stats.load())) {
          this.set({ slot, quantile: '0.5' }, l.delayP50Ms / 1000);
          this.set({ slot, quantile: '0.99' }, l.delayP99Ms / 1000);
        }
      },
    });
    new client.Gauge({
      name: 'statefork_worker_heartbeat_age_seconds',
      help: "Seconds since each ready worker's heartbeat last moved, by its slot.",
      labelNames: ['slot'],
      registers,
      collect() {
        this.reset();
        const now = source.now();
        for (const w of ctx().workers) if (w.readyAt !== null && w.phase !== 'killed') this.set({ slot: String(w.slot) }, (now - w.beatAt) / 1000);
      },
    });
    new client.Counter({
      name: 'statefork_requests_total',
      help: 'Requests received by the workers (live ones and those gone).',
      registers,
      collect() {
        this.reset();
        this.inc(source.stats.totals().requests);
      },
    });
    new client.Counter({
      name: 'statefork_log_write_failures_total',
      help: 'Log lines that could not be written (a full disk, a closed stream), by log: error, access, record.',
      labelNames: ['log'],
      registers,
      collect() {
        this.reset();
        const counts = source.logFailures?.() ?? {};
        for (const log of ['error', 'access', 'record']) this.inc({ log }, counts[log] ?? 0);
      },
    });
    new client.Counter({
      name: 'statefork_proxy_header_rejected_total',
      help: 'Connections closed at their PROXY protocol header, by reason: untrusted (a peer outside --forwarded-allow-ips), missing, malformed, too-long, timeout (slower than --proxy-header-timeout), unexpected (a header on a bind without proxy:).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const counts = source.stats.proxyRejected();
        for (const reason of PROXY_REJECTIONS) this.inc({ reason }, counts[reason]);
      },
    });
    if (source.guards) guardMetrics(registers, source.guards);
    this.registry.registerMetric(
      new DurationHistogram(
        'statefork_request_duration_seconds',
        'How long the workers took to answer requests, in seconds.',
        () => source.stats.totals().durations,
      ) as never,
    );
    this.exits = new client.Counter({
      name: 'statefork_worker_exits_total',
      help: 'Worker exits by reason: crash, timeout, boot_failure, recycled, reload, scale, upgrade, stop.',
      labelNames: ['reason'],
      registers,
    });
    this.bootFailures = new client.Counter({ name: 'statefork_worker_boot_failures_total', help: 'Workers that exited before they were ready.', registers });
    this.reloads = new client.Counter({
      name: 'statefork_reloads_total',
      help: 'Reloads (HUP) by outcome: completed, abandoned, config_failed, interrupted.',
      labelNames: ['outcome'],
      registers,
    });
    this.transitions = new client.Counter({
      name: 'statefork_master_transitions_total',
      help: 'State changes of the master machine, by the event that caused them and the state reached.',
      labelNames: ['event', 'to'],
      registers,
    });
    // Every reason and outcome from the start, at 0: a rate over a series that appears late is wrong.
    for (const reason of EXIT_LABELS) this.exits.inc({ reason }, 0);
    for (const outcome of ['completed', 'abandoned', 'config_failed', 'interrupted']) this.reloads.inc({ outcome }, 0);
    client.collectDefaultMetrics({ register: this.registry });
  }

  /** One step of the master machine: its exits, its scaling decisions, the reload it ended, its state change. */
  step(step: MasterStep): void {
    for (const exit of step.exits) {
      const reason = EXIT_LABEL[exit.reason];
      this.exits.inc({ reason });
      if (reason === 'boot_failure') this.bootFailures.inc();
    }
    this.scaled(step.scaled);
    if (step.reloadEnded) this.reloads.inc({ outcome: step.reloadEnded });
    if (step.before && step.moved) this.transitions.inc({ event: step.cause, to: step.after.state });
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
