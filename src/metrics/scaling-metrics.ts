/**
 * The worker count's metrics: its bounds (MIN and the ceiling now; 1 and --max-workers for a
 * fixed count), each listening socket's accept queue at the latest sample, and the adaptive
 * count's decisions by direction and reason. The target itself is statefork_workers_target.
 */
import client from 'prom-client';
import type { MasterContext } from '../../machines/master.context.js';
import type { ScaleFact } from '../../machines/master.facts.js';
import { ceilingOf, floorOf } from '../../machines/master.count.js';

const DECISIONS: Array<Pick<ScaleFact, 'direction' | 'reason'>> = [
  { direction: 'up', reason: 'accept-queue' },
  { direction: 'up', reason: 'utilisation' },
  { direction: 'down', reason: 'quiet' },
];

export function scalingMetrics(registers: client.Registry[], ctx: () => MasterContext): (facts: ScaleFact[]) => void {
  new client.Gauge({
    name: 'statefork_workers_min',
    help: 'The fewest workers: MIN of --workers MIN:MAX (1 for a fixed count).',
    registers,
    collect() {
      this.set(floorOf(ctx()));
    },
  });
  new client.Gauge({
    name: 'statefork_workers_max',
    help: "The most workers now: MAX of --workers MIN:MAX, bounded by the host's CPUs and memory (--max-workers for a fixed count).",
    registers,
    collect() {
      this.set(ceilingOf(ctx()).max);
    },
  });
  new client.Gauge({
    name: 'statefork_accept_queue',
    help: "Connections waiting in each listening socket's accept queue at the latest sample (TCP sockets the master holds; unix sockets have none to read).",
    labelNames: ['socket'],
    registers,
    collect() {
      this.reset();
      for (const q of ctx().scaler.queues) if (q.waiting !== null) this.set({ socket: q.socket }, q.waiting);
    },
  });
  const decisions = new client.Counter({
    name: 'statefork_scaling_decisions_total',
    help: 'Decisions of the adaptive worker count, by direction (up, down) and reason (accept-queue, utilisation, quiet).',
    labelNames: ['direction', 'reason'],
    registers,
  });
  for (const d of DECISIONS) decisions.inc(d, 0);
  return (facts) => {
    for (const f of facts) decisions.inc({ direction: f.direction, reason: f.reason });
  };
}
