/**
 * (9) Long-lived connections: a reload under 200 WebSocket connections, each client sending a
 * message every 100 ms and resending on reconnect whatever was not echoed. Measured: the reload's
 * duration (HUP to the last old worker gone), messages lost, how clients were closed, and the
 * reconnect time (close to the new worker's hello). Twice: an app that says goodbye on `draining`,
 * and one that ignores it, whose connections statefork ends itself at --graceful-timeout. The app
 * is the tests' own (test/fixtures/apps/ws-echo.mjs).
 */
import { EchoClient } from '../../helpers/ws-clients.js';
import { startStatefork, type Server } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface LongLivedRow {
  app: string;
  clients: number;
  gracefulTimeoutSeconds: number;
  reloadMs: number;
  sent: number;
  lost: number;
  /** How the clients' connections to the old workers ended: close code -> count (1006: reset, no close frame). */
  closes: Record<string, number>;
  reconnectP50Ms: number;
  reconnectP99Ms: number;
}

const CLIENTS = 200;
const EVERY_MS = 100;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function reloadUnderWebSockets(server: Server, app: string, graceful: number): Promise<LongLivedRow> {
  const clients = Array.from({ length: CLIENTS }, (_, i) => new EchoClient(server.url.replace(/^http/, 'ws'), i, 10));
  await Promise.all(clients.map((c) => c.connect()));
  const talk = setInterval(() => {
    for (const c of clients) c.send();
  }, EVERY_MS);
  await sleep(1000);
  const oldPids = await server.workerPids();
  const from = server.records.length;
  const t0 = performance.now();
  process.kill(server.masterPid!, 'SIGHUP');
  const gone = (pid: number) => (r: Record<string, unknown>) => r.machine === 'master.worker' && r.to === 'exited' && r.workerPid === pid;
  for (const pid of oldPids) await server.waitRecord(gone(pid), (graceful + 30) * 1000, from);
  const reloadMs = performance.now() - t0;
  const deadline = Date.now() + 10_000;
  while (clients.some((c) => oldPids.includes(c.currentPid!)) && Date.now() < deadline) await sleep(20);
  clearInterval(talk);
  while (clients.some((c) => c.unacked.size > 0) && Date.now() < deadline) await sleep(20);
  for (const c of clients) c.close();
  const closes: Record<string, number> = {};
  for (const { code } of clients.flatMap((c) => c.closes.filter((x) => x.code !== 1000))) closes[code] = (closes[code] ?? 0) + 1;
  const reconnects = clients.flatMap((c) => c.reconnectMs);
  return {
    app,
    clients: CLIENTS,
    gracefulTimeoutSeconds: graceful,
    reloadMs,
    sent: clients.reduce((n, c) => n + c.sent, 0),
    lost: clients.reduce((n, c) => n + c.unacked.size, 0),
    closes,
    reconnectP50Ms: quantile(reconnects, 0.5),
    reconnectP99Ms: quantile(reconnects, 0.99),
  };
}

export async function longLived(s: BenchSettings, progress: (line: string) => void): Promise<LongLivedRow[]> {
  const rows: LongLivedRow[] = [];
  for (const [app, env, graceful] of [
    ['says goodbye on draining (1001)', {}, 30],
    ['ignores draining', { IGNORE_DRAIN: '1' }, 5],
  ] as const) {
    const server = await startStatefork({ workers: s.workers, app: '../../fixtures/apps/ws-echo.mjs', env, args: ['--graceful-timeout', String(graceful)] });
    try {
      const row = await reloadUnderWebSockets(server, app, graceful);
      progress(`long-lived, app that ${app}: reload ${Math.round(row.reloadMs)} ms, lost ${row.lost} of ${row.sent}, closes ${JSON.stringify(row.closes)}`);
      rows.push(row);
    } finally {
      await server.kill();
    }
  }
  return rows;
}
