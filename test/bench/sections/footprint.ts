/**
 * (5) Footprint: the supervising process's resident memory and idle CPU over a quiet period,
 * beside a bare Node process, a bare Node process that loads statefork's libraries, pm2's
 * daemon and the cluster primary. All idle at the same time, side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds, rssMiB } from '../proc.js';
import { APPS, startCluster, startPm2, startStatefork, until, type Server } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface FootprintRow {
  process: string;
  rssMiB: number;
  idleCpuPercent: number;
}

function idle(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return until(() => out.includes('ready'), `${args.join(' ')} to start`).then(() => child);
}

export async function footprint(s: BenchSettings, progress: (line: string) => void): Promise<FootprintRow[]> {
  const servers: Server[] = [];
  const bare: ChildProcess[] = [];
  try {
    servers.push(await startStatefork({ workers: s.workers }), await startPm2({ workers: s.workers }), await startCluster('rr', { workers: s.workers }));
    bare.push(await idle(['-e', 'setInterval(() => {}, 1000); console.log("ready")']), await idle([join(APPS, 'bare.mjs')]));
    const watched: [string, number][] = [
      ['statefork master', servers[0].masterPid!],
      ['pm2 daemon', servers[1].masterPid!],
      ['cluster primary', servers[2].masterPid!],
      ['bare node', bare[0].pid!],
      ['bare node + xstate, rxjs, pino, commander', bare[1].pid!],
    ];
    // Start-up work is over before the quiet period is measured.
    await new Promise((ok) => setTimeout(ok, 2000));
    const before = watched.map(([, pid]) => cpuSeconds(pid));
    const t0 = performance.now();
    await new Promise((ok) => setTimeout(ok, s.idleSeconds * 1000));
    const wall = (performance.now() - t0) / 1000;
    const rows = watched.map(([name, pid], i) => ({ process: name, rssMiB: rssMiB(pid), idleCpuPercent: (100 * (cpuSeconds(pid) - before[i])) / wall }));
    for (const r of rows) progress(`footprint ${r.process}: ${r.rssMiB.toFixed(1)} MiB, ${r.idleCpuPercent.toFixed(2)}% CPU idle`);
    return rows;
  } finally {
    for (const c of bare) c.kill('SIGKILL');
    for (const srv of servers) await srv.kill();
  }
}
