/**
 * (8) The fetch form: a Hono app and an h3 app, each served by statefork in the fetch form
 * (`export default app`, through @hono/node-server's listener) and as the request listener that
 * adapter makes of it (what the fetch form must match); the h3 app also through h3's own Node
 * handler, for comparison. wrk with keep-alive connections, interleaved rounds.
 */
import { startStatefork, type Server } from '../servers.js';
import { runWrk } from '../wrk.js';
import type { BenchSettings } from '../settings.js';

export interface FetchRow {
  app: 'hono' | 'h3';
  form: string;
  rps: number;
  roundRps: number[];
  p99Ms: number;
  errors: number;
}

const VARIANTS: Array<{ app: FetchRow['app']; form: string; file: string }> = [
  { app: 'hono', form: 'fetch form', file: 'hono.mjs' },
  { app: 'hono', form: 'request listener (getRequestListener)', file: 'hono-listener.mjs' },
  { app: 'h3', form: 'fetch form', file: 'h3.mjs' },
  { app: 'h3', form: 'request listener (getRequestListener)', file: 'h3-listener.mjs' },
  { app: 'h3', form: "request listener (h3's toNodeHandler)", file: 'h3-node.mjs' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function fetchForm(s: BenchSettings, progress: (line: string) => void): Promise<FetchRow[]> {
  const servers: Server[] = [];
  try {
    for (const v of VARIANTS) servers.push(await startStatefork({ workers: s.workers, app: v.file }));
    const opts = { connections: s.connections, close: false };
    for (const server of servers) await runWrk(server.url, opts, s.warmupSeconds);
    const runs = VARIANTS.map(() => [] as Awaited<ReturnType<typeof runWrk>>[]);
    for (let round = 1; round <= s.rounds; round++) {
      for (const [i, server] of servers.entries()) {
        runs[i].push(await runWrk(server.url, opts, s.seconds));
        progress(`fetch ${VARIANTS[i].app} ${VARIANTS[i].form} round ${round}: ${Math.round(runs[i].at(-1)!.rps)} req/s`);
      }
    }
    return VARIANTS.map((v, i) => {
      const requests = runs[i].reduce((a, r) => a + r.requests, 0);
      const seconds = runs[i].reduce((a, r) => a + r.seconds, 0);
      return {
        app: v.app,
        form: v.form,
        rps: requests / seconds,
        roundRps: runs[i].map((r) => r.rps),
        p99Ms: median(runs[i].map((r) => r.p99Ms)),
        errors: runs[i].reduce((a, r) => a + r.errors, 0),
      };
    });
  } finally {
    for (const server of servers) await server.kill();
  }
}
