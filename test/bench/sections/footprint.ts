/**
 * (5) Footprint. The supervising processes' resident memory and CPU over a quiet period, side by
 * side with a bare Node process, one that loads statefork's libraries, pm2's daemon and the
 * cluster primary; one serving process of statefork beside one of the floor (the same app, no
 * manager); and statefork's master idle and under load with 2 and with 32 workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuDuring, cpuSeconds, rssMiB } from '../proc.js';
import { APPS, startCluster, startFloor, startPm2, startStatefork, until, type Server } from '../servers.js';
import { runWrk } from '../wrk.js';
import type { BenchSettings } from '../settings.js';

export interface FootprintRow {
  process: string;
  rssMiB: number;
  /** Private dirty memory: what one more such process really costs (RSS counts shared pages too). */
  privateMiB?: number;
  idleCpuPercent: number | null;
  /** CPU under load (wrk, keep-alive), for statefork's master. */
  loadCpuPercent?: number;
}

/** Private dirty memory in MiB, from /proc/<pid>/smaps_rollup. */
export function privateMiB(pid: number): number {
  const kb = /^Private_Dirty:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function idle(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return until(() => out.includes('ready'), `${args.join(' ')} to start`).then(() => child);
}

const pause = (s: number) => new Promise((ok) => setTimeout(ok, s * 1000));

/**
 * Idle is measured once start-up's work is over, V8's included: about 8 s after a process
 * starts, V8's memory reducer runs a few full collections (measured on statefork's master: three
 * mark-compacts at 8.2-9.5 s, about 100 ms of CPU on the main and helper threads at once), for
 * any Node process that allocated at start. Counted in a 30 s window, that one-off alone reads as
 * 0.3% of a core; a process that serves for days pays it once.
 */
export const SETTLE_SECONDS = 12;

/** A few requests, so every serving process has loaded what serving needs before it is measured. */
async function warm(server: Server): Promise<void> {
  for (let i = 0; i < 20; i++)
    await fetch(server.url).then(
      (r) => r.text(),
      () => '',
    );
}

/** statefork with `workers` workers: its master's RSS, idle CPU and CPU under load. */
async function masterAt(workers: number, s: BenchSettings, progress: (line: string) => void): Promise<FootprintRow> {
  const server = await startStatefork({ workers });
  try {
    await warm(server);
    await pause(SETTLE_SECONDS);
    const before = cpuSeconds(server.masterPid!);
    const t0 = performance.now();
    await pause(s.idleSeconds);
    const idleCpuPercent = (100 * (cpuSeconds(server.masterPid!) - before)) / ((performance.now() - t0) / 1000);
    const { cpuPercent } = await cpuDuring(server.masterPid, () => runWrk(server.url, { connections: s.connections, close: false }, s.seconds * 2));
    const row = {
      process: `statefork master, ${workers} workers`,
      rssMiB: rssMiB(server.masterPid!),
      privateMiB: privateMiB(server.masterPid!),
      idleCpuPercent,
      loadCpuPercent: cpuPercent ?? 0,
    };
    progress(`footprint ${row.process}: ${row.rssMiB.toFixed(1)} MiB, ${idleCpuPercent.toFixed(2)}% CPU idle, ${row.loadCpuPercent.toFixed(2)}% under load`);
    return row;
  } finally {
    await server.kill();
  }
}

export async function footprint(s: BenchSettings, progress: (line: string) => void): Promise<FootprintRow[]> {
  const servers: Server[] = [];
  const bare: ChildProcess[] = [];
  let rows: FootprintRow[];
  try {
    servers.push(
      await startStatefork({ workers: s.workers }),
      await startPm2({ workers: s.workers }),
      await startCluster('rr', { workers: s.workers }),
      await startFloor({ workers: s.workers }),
    );
    bare.push(await idle(['-e', 'setInterval(() => {}, 1000); console.log("ready")']), await idle([join(APPS, 'bare.mjs')]));
    for (const server of servers) await warm(server);
    const [worker] = await servers[0].workerPids();
    const [child] = await servers[3].workerPids();
    const watched: [string, number, boolean][] = [
      ['statefork master', servers[0].masterPid!, true],
      ['pm2 daemon', servers[1].masterPid!, true],
      ['cluster primary', servers[2].masterPid!, true],
      ['bare node', bare[0].pid!, true],
      ['bare node + xstate, rxjs, pino, commander', bare[1].pid!, true],
      ['statefork worker (hello world)', worker, false],
      ['fd-pass floor child (hello world)', child, false],
    ];
    // Start-up work is over before the quiet period is measured.
    await pause(SETTLE_SECONDS);
    const before = watched.map(([, pid]) => cpuSeconds(pid));
    const t0 = performance.now();
    await pause(s.idleSeconds);
    const wall = (performance.now() - t0) / 1000;
    rows = watched.map(([name, pid, cpu], i) => ({
      process: name,
      rssMiB: rssMiB(pid),
      privateMiB: privateMiB(pid),
      idleCpuPercent: cpu ? (100 * (cpuSeconds(pid) - before[i])) / wall : null,
    }));
    for (const r of rows)
      progress(
        `footprint ${r.process}: ${r.rssMiB.toFixed(1)} MiB (${r.privateMiB?.toFixed(1)} private)${r.idleCpuPercent === null ? '' : `, ${r.idleCpuPercent.toFixed(2)}% CPU idle`}`,
      );
  } finally {
    for (const c of bare) c.kill('SIGKILL');
    for (const srv of servers) await srv.kill();
  }
  for (const workers of [s.workers, s.scaleTo]) rows.push(await masterAt(workers, s, progress));
  return rows;
}
