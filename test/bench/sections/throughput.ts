/**
 * (1) Throughput and latency: the same hello-world app under every contender, same worker
 * count, wrk on loopback; once with keep-alive connections, once with a new connection per
 * request (where a master that accepts, like cluster round-robin, sits in the data path).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuDuring } from '../proc.js';
import { runWrk, type WrkResult } from '../wrk.js';
import { startCluster, startPm2, startSingle, startStatefork, type Server, type StartOptions } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface ThroughputRow extends WrkResult {
  contender: string;
  load: 'keep-alive' | 'new connection';
  /** CPU of the supervising process during the run: seconds, and % of one core. */
  masterCpuSeconds: number | null;
  masterCpuPercent: number | null;
  /** Each serving process's share of the requests, in %, lowest first. */
  shares: number[];
}

type Starter = (o: StartOptions) => Promise<Server>;

export const CONTENDERS: [string, Starter][] = [
  ['statefork', (o) => startStatefork(o)],
  ['cluster SCHED_NONE', (o) => startCluster('none', o)],
  ['cluster round-robin', (o) => startCluster('rr', o)],
  ['pm2 cluster', (o) => startPm2(o)],
  ['single node', (o) => startSingle(o)],
];

function counts(dir: string): Map<string, number> {
  return new Map(readdirSync(dir).map((f) => [f, Number(readFileSync(join(dir, f), 'utf8'))]));
}

/** Waits for the apps' count files to stop moving (they are written every 100 ms). */
async function settledCounts(dir: string): Promise<Map<string, number>> {
  let last = JSON.stringify([...counts(dir)]);
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 250));
    const now = JSON.stringify([...counts(dir)]);
    if (now === last) return counts(dir);
    last = now;
  }
}

async function measure(name: string, start: Starter, load: ThroughputRow['load'], s: BenchSettings): Promise<ThroughputRow> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-bench-counts-'));
  const server = await start({ workers: s.workers, env: { BENCH_COUNTS: dir } });
  try {
    const opts = { connections: s.connections, close: load === 'new connection' };
    await runWrk(server.url, opts, s.warmupSeconds);
    const before = await settledCounts(dir);
    const { result, cpuSeconds, cpuPercent } = await cpuDuring(server.masterPid, () => runWrk(server.url, opts, s.seconds));
    const after = await settledCounts(dir);
    const served = [...after].map(([pid, n]) => n - (before.get(pid) ?? 0));
    const total = served.reduce((a, b) => a + b, 0);
    const shares = served.map((n) => (100 * n) / total).sort((a, b) => a - b);
    return { contender: name, load, ...result, masterCpuSeconds: cpuSeconds, masterCpuPercent: cpuPercent, shares };
  } finally {
    await server.kill();
  }
}

export async function throughput(s: BenchSettings, progress: (line: string) => void): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const load of ['keep-alive', 'new connection'] as const) {
    for (const [name, start] of CONTENDERS) {
      const row = await measure(name, start, load, s);
      progress(`throughput ${load} ${name}: ${Math.round(row.rps)} req/s, p99 ${row.p99Ms} ms, ${row.errors} errors`);
      rows.push(row);
    }
  }
  return rows;
}
