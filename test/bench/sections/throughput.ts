/**
 * (1) Throughput and latency: the same hello-world app under every contender, same worker
 * count, wrk on loopback; once with keep-alive connections, once with a new connection per
 * request (where a master that accepts, like cluster round-robin, sits in the data path).
 * Several short rounds per contender, interleaved, summed. The fd-pass floor (a parent that
 * binds, children that listen on its socket, no manager at all) runs in every round: each
 * contender's round is compared with the floor's same round, so a drift of the machine cancels.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuDuring } from '../proc.js';
import { runWrk, type WrkResult } from '../wrk.js';
import { NODE_22, startCluster, startFloor, startPm2, startSingle, startStatefork, type Server, type StartOptions } from '../servers.js';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { BenchSettings } from '../settings.js';

export interface ThroughputRow extends WrkResult {
  contender: string;
  load: 'keep-alive' | 'new connection';
  /** CPU of the supervising process during the run: seconds, and % of one core. */
  masterCpuSeconds: number | null;
  masterCpuPercent: number | null;
  /** Each serving process's share of the requests, in %, lowest first. */
  shares: number[];
  /** Requests per second of each round, in order: the spread is this machine's noise. */
  roundRps: number[];
  /** Each round's req/s divided by the floor's in the same round. */
  vsFloor: number[];
  /** The Node version it ran on. */
  node: string;
}

type Starter = (o: StartOptions) => Promise<Server>;

export const CONTENDERS: [string, Starter][] = [
  ['fd-pass floor', (o) => startFloor(o)],
  ['statefork', (o) => startStatefork(o)],
  // The watchdog thread (--hang-stacks, on by default) off: what it costs, in the same run.
  ['statefork --no-hang-stacks', (o) => startStatefork({ ...o, args: [...(o.args ?? []), '--no-hang-stacks'] })],
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

interface Entry {
  name: string;
  server: Server;
  dir: string;
  runs: WrkResult[];
  cpuSeconds: number;
  wallSeconds: number;
  before: Map<string, number>;
}

/**
 * Every contender runs at the same time (idle when not measured), and the measured runs take
 * turns, round after round: a drift of the machine during the section touches all of them alike.
 */
async function measureLoad(
  load: ThroughputRow['load'],
  s: BenchSettings,
  progress: (line: string) => void,
  contenders = CONTENDERS,
  node = process.execPath,
): Promise<ThroughputRow[]> {
  const entries: Entry[] = [];
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  try {
    for (const [name, start] of contenders) {
      const dir = mkdtempSync(join(tmpdir(), 'statefork-bench-counts-'));
      entries.push({
        name,
        server: await start({ workers: s.workers, env: { BENCH_COUNTS: dir }, node }),
        dir,
        runs: [],
        cpuSeconds: 0,
        wallSeconds: 0,
        before: new Map(),
      });
    }
    const opts = { connections: s.connections, close: load === 'new connection' };
    for (const e of entries) {
      await runWrk(e.server.url, opts, s.warmupSeconds);
      e.before = await settledCounts(e.dir);
    }
    for (let round = 1; round <= s.rounds; round++) {
      for (const e of entries) {
        const t0 = performance.now();
        const { result, cpuSeconds } = await cpuDuring(e.server.masterPid, () => runWrk(e.server.url, opts, s.seconds));
        e.wallSeconds += (performance.now() - t0) / 1000;
        e.cpuSeconds += cpuSeconds ?? 0;
        e.runs.push(result);
        progress(`throughput ${load} round ${round} ${e.name} (${version}): ${Math.round(result.rps)} req/s`);
      }
    }
    const rows: ThroughputRow[] = [];
    const floor = entries.find((e) => e.name === 'fd-pass floor')!;
    for (const e of entries) {
      const after = await settledCounts(e.dir);
      const served = [...after].map(([pid, n]) => n - (e.before.get(pid) ?? 0)).filter((n) => n > 0);
      const total = served.reduce((a, b) => a + b, 0);
      rows.push({
        contender: e.name,
        load,
        ...combine(e.runs),
        masterCpuSeconds: e.server.masterPid ? e.cpuSeconds : null,
        masterCpuPercent: e.server.masterPid ? (100 * e.cpuSeconds) / e.wallSeconds : null,
        shares: served.map((n) => (100 * n) / total).sort((a, b) => a - b),
        roundRps: e.runs.map((r) => r.rps),
        vsFloor: e.runs.map((r, i) => r.rps / floor.runs[i].rps),
        node: version,
      });
    }
    return rows;
  } finally {
    for (const e of entries) await e.server.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Rounds added up: requests and errors summed, latency percentiles as the median round's. */
function combine(runs: WrkResult[]): WrkResult {
  const sum = (f: (r: WrkResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: sum((r) => r.errors),
    connectErrors: sum((r) => r.connectErrors),
    readErrors: sum((r) => r.readErrors),
    writeErrors: sum((r) => r.writeErrors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
  };
}

/** The same measurement on Node 22 (the node-22 package's binary), for the floor, statefork and cluster SCHED_NONE. */
export async function throughput22(s: BenchSettings, progress: (line: string) => void): Promise<ThroughputRow[]> {
  if (!existsSync(NODE_22)) {
    progress('throughput on Node 22: skipped, the optional dependency node-22 is not installed');
    return [];
  }
  const contenders = CONTENDERS.filter(([name]) => ['fd-pass floor', 'statefork', 'cluster SCHED_NONE'].includes(name));
  const rows: ThroughputRow[] = [];
  for (const load of ['keep-alive', 'new connection'] as const) rows.push(...(await measureLoad(load, s, progress, contenders, NODE_22)));
  return rows;
}

export async function throughput(s: BenchSettings, progress: (line: string) => void): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const load of ['keep-alive', 'new connection'] as const) {
    for (const row of await measureLoad(load, s, progress)) {
      progress(`throughput ${load} ${row.contender}: ${Math.round(row.rps)} req/s, p99 ${row.p99Ms} ms, ${row.errors} errors`);
      rows.push(row);
    }
  }
  return rows;
}
