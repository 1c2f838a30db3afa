/**
 * (3) Stop under load: a burst of requests, each holding a worker's event loop for 20 ms, so at
 * the moment of the stop some are being served, some accepted and waiting, some still queued
 * in the kernel. Every request is counted: completed, reset, refused or failed otherwise.
 */
import { request } from 'node:http';
import { startCluster, startPm2, startSingle, startStatefork, alive, type Server } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface StopRow {
  contender: string;
  how: string;
  sent: number;
  /** Answered when the stop was sent. */
  beforeStop: number;
  completed: number;
  reset: number;
  refused: number;
  /** Neither answered nor closed within 10 s. */
  timedOut: number;
  otherErrors: number;
  /** Milliseconds from the stop to every serving process (and statefork's master) gone. */
  stopMs: number;
}

const BURST = 300;
/** A request with no answer and no error by then is counted as left hanging. */
const CLIENT_TIMEOUT_MS = 10_000;

function get(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: CLIENT_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

async function burst(server: Server, how: string, stop: () => Promise<void>): Promise<StopRow> {
  // pm2's daemon outlives `pm2 stop`: the stop is over when every serving process is gone.
  const everyone = [...(server.masterPid && server.name !== 'pm2 cluster' ? [server.masterPid] : []), ...(await server.workerPids())];
  let answered = 0;
  const outcomes = Array.from({ length: BURST }, () => get(server.url).then((o) => (o === 'ok' && answered++, o)));
  // Stop once the server is visibly busy: a few answers out, most still to come.
  while (answered < 10) await new Promise((ok) => setTimeout(ok, 5));
  const beforeStop = answered;
  const t0 = performance.now();
  await stop();
  while (everyone.some(alive)) await new Promise((ok) => setTimeout(ok, 5));
  const stopMs = performance.now() - t0;
  const all = await Promise.all(outcomes);
  const count = (pred: (o: string) => boolean) => all.filter(pred).length;
  return {
    contender: server.name,
    how,
    sent: BURST,
    beforeStop,
    completed: count((o) => o === 'ok'),
    reset: count((o) => o === 'ECONNRESET' || o === 'socket hang up' || o === 'EPIPE'),
    refused: count((o) => o === 'ECONNREFUSED'),
    timedOut: count((o) => o === 'TIMEOUT'),
    otherErrors: count((o) => !['ok', 'ECONNRESET', 'socket hang up', 'EPIPE', 'ECONNREFUSED', 'TIMEOUT'].includes(o)),
    stopMs,
  };
}

export async function stopUnderLoad(s: BenchSettings, progress: (line: string) => void): Promise<StopRow[]> {
  const o = { workers: s.workers, app: 'busy.cjs' };
  const runs: [() => Promise<Server>, string, (srv: Server) => Promise<void>][] = [
    [() => startStatefork({ ...o, app: 'busy.cjs' }), 'TERM to the master', async (srv) => void process.kill(srv.masterPid!, 'SIGTERM')],
    [() => startCluster('rr', o), 'TERM to the primary', async (srv) => void process.kill(srv.masterPid!, 'SIGTERM')],
    [() => startPm2(o), 'pm2 stop', (srv) => (srv as Awaited<ReturnType<typeof startPm2>>).pm2('stop', 'bench').then(() => {})],
    [() => startSingle(o), 'TERM', async (srv) => void process.kill((await srv.workerPids())[0], 'SIGTERM')],
  ];
  const rows: StopRow[] = [];
  for (const [start, how, stop] of runs) {
    const server = await start();
    try {
      const row = await burst(server, how, () => stop(server));
      progress(`stop ${row.contender} (${how}): ${row.completed}/${row.sent} completed, ${row.reset} reset, ${row.refused} refused`);
      rows.push(row);
    } finally {
      await server.kill();
    }
  }
  return rows;
}
