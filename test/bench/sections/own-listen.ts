/**
 * (12) An app that listens itself: one Express 5 app, exported (`module.exports = app`) and
 * started by its own `app.listen(3000)` (captured by statefork), served side by side with the
 * same workers; wrk with keep-alive and with a new connection per request. Rounds are paired and
 * their order alternates (ABBA), and the figure is the median of the pairs' ratios: on a shared
 * 2-core machine two runs of the same server drift apart by more than the 3% this must show.
 * The capture costs nothing per request: the two must be within 3% of each other.
 */
import { startStatefork, type Server } from '../servers.js';
import { runWrk } from '../wrk.js';
import type { BenchSettings } from '../settings.js';

export interface OwnListenRow {
  form: 'exported' | 'app.listen()';
  load: 'keep-alive' | 'new connection';
  rps: number;
  roundRps: number[];
  p99Ms: number;
  errors: number;
  /** app.listen()'s req/s over exported's in each pair of rounds (on the app.listen() rows). */
  pairRatios?: number[];
}

const FORMS: Array<{ form: OwnListenRow['form']; file: string }> = [
  { form: 'exported', file: 'express-export.cjs' },
  { form: 'app.listen()', file: 'express-listen.cjs' },
];
const LOADS = [
  { load: 'keep-alive', close: false },
  { load: 'new connection', close: true },
] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export async function ownListen(s: BenchSettings, progress: (line: string) => void): Promise<OwnListenRow[]> {
  const servers: Server[] = [];
  try {
    for (const f of FORMS) servers.push(await startStatefork({ workers: s.workers, app: f.file }));
    const rows: OwnListenRow[] = [];
    for (const { load, close } of LOADS) {
      const opts = { connections: s.connections, close };
      for (const server of servers) await runWrk(server.url, opts, s.warmupSeconds);
      const runs = FORMS.map(() => [] as Awaited<ReturnType<typeof runWrk>>[]);
      for (let round = 1; round <= 2 * s.rounds; round++) {
        for (const i of round % 2 ? [0, 1] : [1, 0]) {
          runs[i].push(await runWrk(servers[i].url, opts, s.seconds));
          progress(`express ${FORMS[i].form} ${load} round ${round}: ${Math.round(runs[i].at(-1)!.rps)} req/s`);
        }
      }
      const pairRatios = runs[1].map((r, k) => r.rps / runs[0][k].rps);
      for (const [i, f] of FORMS.entries()) {
        const requests = runs[i].reduce((a, r) => a + r.requests, 0);
        const seconds = runs[i].reduce((a, r) => a + r.seconds, 0);
        rows.push({
          form: f.form,
          load,
          rps: requests / seconds,
          roundRps: runs[i].map((r) => r.rps),
          p99Ms: median(runs[i].map((r) => r.p99Ms)),
          errors: runs[i].reduce((a, r) => a + r.errors, 0),
          ...(i === 1 ? { pairRatios } : {}),
        });
      }
    }
    return rows;
  } finally {
    for (const server of servers) await server.kill();
  }
}

/** app.listen() over exported, per load: the median of the paired rounds' ratios. */
export const listenRatio = (rows: OwnListenRow[], load: OwnListenRow['load']) =>
  median(rows.find((r) => r.form === 'app.listen()' && r.load === load)!.pairRatios!);

export function ownListenTable(rows: OwnListenRow[], s: BenchSettings): string {
  const head = ['load', 'served as', 'req/s', 'rounds', 'vs exported (median of pairs, range)', 'p99', 'errors'];
  const ratio = (r: OwnListenRow) =>
    r.pairRatios ? `${median(r.pairRatios).toFixed(3)}x (${Math.min(...r.pairRatios).toFixed(2)}–${Math.max(...r.pairRatios).toFixed(2)})` : '1';
  const body = rows.map((r) => [
    r.load,
    r.form,
    int(r.rps),
    `${int(Math.min(...r.roundRps))}–${int(Math.max(...r.roundRps))}`,
    ratio(r),
    `${r.p99Ms.toFixed(2)} ms`,
    String(r.errors),
  ]);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)];
  return `### 12. An app that listens itself\n\nOne Express 5 app served by statefork (${s.workers} workers) as its export and as started by its own \`app.listen(3000)\`, which statefork captures onto its bind. wrk, ${s.connections} connections, ${2 * s.rounds} rounds of ${s.seconds} s per load and form, paired, in alternating order.\n\n${lines.join('\n')}`;
}
