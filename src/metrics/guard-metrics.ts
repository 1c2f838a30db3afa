/**
 * The metrics of the master's guards against what workers and clients send it: worker log lines
 * dropped over --worker-log-rate, watchdog messages dropped (more than one per stall, or not a
 * stack), connections the master's own HTTP servers closed to make room (by server), and the
 * orphans reaped as PID 1. Each a counter read at scrape time, at 0 from the start.
 */
import client from 'prom-client';
import { shedConnections } from '../connection-limits.js';

export interface GuardCounts {
  logDrops: { records: number; bytes: number };
  watchdogDropped: number;
  orphansReaped: number;
}

const SERVERS = ['health', 'metrics', 'inspector'];

export function guardMetrics(registers: client.Registry[], counts: () => GuardCounts): void {
  const counter = (name: string, help: string, read: (c: GuardCounts) => number) =>
    new client.Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read(counts()));
      },
    });
  counter(
    'statefork_worker_log_dropped_records_total',
    'Worker log records and captured lines dropped over --worker-log-rate, all workers.',
    (c) => c.logDrops.records,
  );
  counter('statefork_worker_log_dropped_bytes_total', 'Bytes of the worker log lines dropped over --worker-log-rate, all workers.', (c) => c.logDrops.bytes);
  counter(
    'statefork_watchdog_messages_dropped_total',
    "Messages on workers' watchdog channels dropped: more than one stack per stall, or not a stack at all.",
    (c) => c.watchdogDropped,
  );
  counter('statefork_orphans_reaped_total', 'Orphaned processes the master reaped as PID 1 (or a child subreaper).', (c) => c.orphansReaped);
  new client.Counter({
    name: 'statefork_http_connections_shed_total',
    help: "Connections the master's own HTTP servers closed to stay within their limits (the oldest idle one, or a new one when none was idle), by server.",
    labelNames: ['server'],
    registers,
    collect() {
      this.reset();
      for (const server of SERVERS) this.inc({ server }, shedConnections[server] ?? 0);
    },
  });
}
