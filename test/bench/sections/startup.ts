/**
 * (6) Start and scale: launch to the first 200 (the floor and statefork: the median of 5 starts); growing from 2 workers to 32 one step at a time
 * (statefork: TTIN per step, since signals sent in a burst coalesce; pm2: `pm2 scale`); a full
 * generation swap with 8 workers (statefork: HUP; pm2: `pm2 reload`).
 */
import { request } from 'node:http';
import { freePort, startCluster, startFloor, startPm2, startSingle, startStatefork, until, type Server } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface StartupRow {
  contender: string;
  firstResponseMs: number;
  scaleMs: number | null;
  swapMs: number | null;
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Starts a server while polling its port; returns the time to the first 200. */
async function timeToFirst<S extends Server>(start: (port: number) => Promise<S>): Promise<{ server: S; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const pending = start(port);
  let firstAt = 0;
  while (!firstAt) {
    if (await answers(`http://127.0.0.1:${port}/`)) firstAt = performance.now();
    else await new Promise((ok) => setTimeout(ok, 5));
  }
  return { server: await pending, ms: firstAt - t0 };
}

const readyCount = (server: Server, from: number) => server.records.slice(from).filter((r) => r.msg === 'worker ready').length;

async function statefork(s: BenchSettings): Promise<StartupRow> {
  const { server, ms } = await timeToFirst((port) => startStatefork({ workers: s.workers, port }));
  let scaleMs: number;
  let swapMs: number;
  try {
    const from = server.records.length;
    const t0 = performance.now();
    for (let n = s.workers; n < s.scaleTo; n++) {
      const at = server.records.length;
      process.kill(server.masterPid!, 'SIGTTIN');
      await server.waitRecord((r) => /^TTIN: one more worker/.test(r.msg ?? ''), 30_000, at);
    }
    await until(() => readyCount(server, from) >= s.scaleTo - s.workers, `${s.scaleTo} workers ready`, 120_000);
    scaleMs = performance.now() - t0;
  } finally {
    await server.kill();
  }
  const big = await startStatefork({ workers: s.swapWorkers });
  try {
    const from = big.records.length;
    const t0 = performance.now();
    process.kill(big.masterPid!, 'SIGHUP');
    await big.waitRecord((r) => /^reload complete/.test(r.msg ?? ''), 120_000, from);
    swapMs = performance.now() - t0;
  } finally {
    await big.kill();
  }
  return { contender: 'statefork', firstResponseMs: ms, scaleMs, swapMs };
}

async function pm2(s: BenchSettings): Promise<StartupRow> {
  const { server, ms } = await timeToFirst((port) => startPm2({ workers: s.workers, port }));
  let scaleMs: number;
  let swapMs: number;
  try {
    const t0 = performance.now();
    await server.pm2('scale', 'bench', String(s.scaleTo));
    await until(async () => (await server.online()) === s.scaleTo, `pm2 to report ${s.scaleTo} instances online`, 120_000);
    scaleMs = performance.now() - t0;
    await server.pm2('scale', 'bench', String(s.swapWorkers));
    await until(async () => (await server.online()) === s.swapWorkers, `pm2 to report ${s.swapWorkers} instances online`, 120_000);
    const t1 = performance.now();
    await server.pm2('reload', 'bench');
    swapMs = performance.now() - t1;
  } finally {
    await server.kill();
  }
  return { contender: 'pm2 cluster', firstResponseMs: ms, scaleMs, swapMs };
}

async function onlyStart(name: string, start: (port: number) => Promise<Server>): Promise<StartupRow> {
  const { server, ms } = await timeToFirst(start);
  await server.kill();
  return { contender: name, firstResponseMs: ms, scaleMs: null, swapMs: null };
}

/** One start is noisy on a small machine: the floor's and statefork's are the median of this many. */
const STARTS = 5;
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function medianStart(name: string, start: (port: number) => Promise<Server>, first: number | null = null): Promise<number> {
  const times = first === null ? [] : [first];
  while (times.length < STARTS) times.push((await onlyStart(name, start)).firstResponseMs);
  return medianOf(times);
}

export async function startup(s: BenchSettings, progress: (line: string) => void): Promise<StartupRow[]> {
  const floor = (port: number) => startFloor({ workers: s.workers, port });
  const ours = await statefork(s);
  ours.firstResponseMs = await medianStart('statefork', (port) => startStatefork({ workers: s.workers, port }), ours.firstResponseMs);
  const rows = [
    { contender: 'fd-pass floor', firstResponseMs: await medianStart('fd-pass floor', floor), scaleMs: null, swapMs: null },
    ours,
    await pm2(s),
    await onlyStart('cluster round-robin', (port) => startCluster('rr', { workers: s.workers, port })),
    await onlyStart('single node', (port) => startSingle({ port })),
  ];
  for (const r of rows)
    progress(
      `startup ${r.contender}: first 200 after ${Math.round(r.firstResponseMs)} ms, scale ${r.scaleMs === null ? '-' : Math.round(r.scaleMs)} ms, swap ${r.swapMs === null ? '-' : Math.round(r.swapMs)} ms`,
    );
  return rows;
}
