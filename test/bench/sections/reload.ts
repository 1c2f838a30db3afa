/**
 * (2) Reload under load: consecutive reloads (statefork: HUP; pm2: `pm2 reload`) while wrk keeps
 * sending requests, once over keep-alive connections and once with a new connection per
 * request. Counts every failed request and times each reload until every worker is new.
 */
import { startPm2, startStatefork, type Server } from '../servers.js';
import { startWrk, type WrkResult } from '../wrk.js';
import type { BenchSettings } from '../settings.js';

export interface ReloadRow extends WrkResult {
  contender: string;
  load: 'keep-alive' | 'new connection';
  reloads: number;
  /** Milliseconds from the reload command to every worker being new: median and worst. */
  swapMedianMs: number;
  swapMaxMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function underLoad(server: Server, load: ReloadRow['load'], s: BenchSettings, reloadOnce: () => Promise<number>): Promise<ReloadRow> {
  const wrk = startWrk(server.url, { connections: s.connections, close: load === 'new connection' });
  // Let the load reach a steady state before the first reload.
  await new Promise((ok) => setTimeout(ok, 1000));
  const swaps: number[] = [];
  for (let i = 0; i < s.reloads; i++) swaps.push(await reloadOnce());
  await new Promise((ok) => setTimeout(ok, 500));
  const result = await wrk.stop();
  return { contender: server.name, load, ...result, reloads: swaps.length, swapMedianMs: median(swaps), swapMaxMs: Math.max(...swaps) };
}

/** statefork: HUP, then the master's own record that every worker is of the new generation. */
async function statefork(load: ReloadRow['load'], s: BenchSettings): Promise<ReloadRow> {
  const server = await startStatefork({ workers: s.workers });
  try {
    return await underLoad(server, load, s, async () => {
      const from = server.records.length;
      const t0 = performance.now();
      process.kill(server.masterPid!, 'SIGHUP');
      await server.waitRecord((r) => /^reload complete/.test(r.msg ?? ''), 30_000, from);
      return performance.now() - t0;
    });
  } finally {
    await server.kill();
  }
}

/** pm2: `pm2 reload`, which returns once the new instances are online (its CLI start included). */
async function pm2(load: ReloadRow['load'], s: BenchSettings): Promise<ReloadRow> {
  const server = await startPm2({ workers: s.workers });
  try {
    return await underLoad(server, load, s, async () => {
      const before = await server.workerPids();
      const t0 = performance.now();
      await server.pm2('reload', 'bench');
      const after = await server.workerPids();
      if (after.some((p) => before.includes(p))) throw new Error(`pm2 reload left an old worker: ${before} -> ${after}`);
      return performance.now() - t0;
    });
  } finally {
    await server.kill();
  }
}

export async function reload(s: BenchSettings, progress: (line: string) => void): Promise<ReloadRow[]> {
  const rows: ReloadRow[] = [];
  for (const load of ['keep-alive', 'new connection'] as const) {
    for (const run of [statefork, pm2]) {
      const row = await run(load, s);
      progress(
        `reload ${load} ${row.contender}: ${row.reloads} reloads, ${row.errors} failed of ${row.requests}, p99 ${row.p99Ms} ms, swap ${Math.round(row.swapMedianMs)} ms`,
      );
      rows.push(row);
    }
  }
  return rows;
}
