/**
 * (11) Scraping a master: one statefork master with 2 and with 32 workers, scraped every second
 * by a real Prometheus (Debian's). What Prometheus measured (its scrape_duration_seconds and
 * scrape_samples_scraped), the statefork series among them, and the same scrape timed from a
 * plain client, one after another.
 */
import { request } from 'node:http';
import { scrapeConfig, startPrometheus, valueOf } from '../../helpers/prometheus.js';
import { freePort, startStatefork, until } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface FleetRow {
  workers: number;
  /** Series in one scrape (Prometheus's scrape_samples_scraped), and those named statefork_*. */
  samples: number;
  stateforkSeries: number;
  bytes: number;
  /** Prometheus's own scrape durations over the run: median and maximum. */
  scrapeP50Ms: number;
  scrapeMaxMs: number;
  scrapes: number;
  /** The same scrape from a plain client, DIRECT_SCRAPES in a row. */
  directP50Ms: number;
  directP99Ms: number;
}

const DIRECT_SCRAPES = 200;

function scrapeOnce(url: string): Promise<{ ms: number; bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes: Buffer.byteLength(body), body }));
    })
      .on('error', reject)
      .end();
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function one(workers: number, seconds: number): Promise<FleetRow> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const server = await startStatefork({ workers, args: ['--metrics', `127.0.0.1:${port}`] });
  try {
    // Every worker's series are there once each has reported its load.
    await until(
      async () => (await scrapeOnce(url)).body.match(/^statefork_worker_event_loop_utilization\{/gm)?.length === workers,
      `${workers} workers reporting`,
      60_000,
    );
    const prom = await startPrometheus(scrapeConfig([`127.0.0.1:${port}`]));
    try {
      await prom.until('scrape_samples_scraped', (r) => r.length > 0, 'the first scrape', 30_000);
      await new Promise((ok) => setTimeout(ok, seconds * 1000));
      const q = async (expr: string) => valueOf((await prom.query(expr))[0]);
      const row = {
        workers,
        samples: await q('scrape_samples_scraped'),
        stateforkSeries: await q('count({__name__=~"statefork_.+"})'),
        scrapeP50Ms: 1000 * (await q(`quantile_over_time(0.5, scrape_duration_seconds[${seconds}s])`)),
        scrapeMaxMs: 1000 * (await q(`max_over_time(scrape_duration_seconds[${seconds}s])`)),
        scrapes: await q(`count_over_time(scrape_duration_seconds[${seconds}s])`),
      };
      prom.stop();
      const direct: number[] = [];
      let bytes = 0;
      for (let i = 0; i < DIRECT_SCRAPES; i++) {
        const r = await scrapeOnce(url);
        direct.push(r.ms);
        bytes = r.bytes;
      }
      return { ...row, bytes, directP50Ms: quantile(direct, 0.5), directP99Ms: quantile(direct, 0.99) };
    } finally {
      prom.stop();
    }
  } finally {
    await server.kill();
  }
}

export async function fleet(s: BenchSettings, progress: (line: string) => void): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const workers of [s.workers, s.scaleTo]) {
    progress(`fleet: a master with ${workers} workers, scraped for ${s.idleSeconds} s`);
    rows.push(await one(workers, s.idleSeconds));
  }
  return rows;
}

/**
 * statefork's series per master as a function of the worker count, from the two rows: base +
 * perWorker x workers; and the range of the process's own (process_*, nodejs_*: the GC kinds
 * seen so far add some).
 */
export function seriesFormula(rows: FleetRow[]): { base: number; perWorker: number; processMin: number; processMax: number } | null {
  if (rows.length < 2) return null;
  const [a, b] = [rows[0], rows[rows.length - 1]];
  const perWorker = (b.stateforkSeries - a.stateforkSeries) / (b.workers - a.workers);
  const own = rows.map((r) => r.samples - r.stateforkSeries);
  return { base: a.stateforkSeries - perWorker * a.workers, perWorker, processMin: Math.min(...own), processMax: Math.max(...own) };
}

export function fleetTable(rows: FleetRow[], s: BenchSettings): string {
  const f = seriesFormula(rows);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const head = ['workers', 'series per scrape', 'of them statefork_*', 'bytes', 'Prometheus scrape p50', 'max', 'scrapes', 'plain client p50', 'p99'];
  const lines = rows.map((r) => [
    r.workers,
    r.samples,
    r.stateforkSeries,
    r.bytes.toLocaleString('en-US'),
    ms(r.scrapeP50Ms),
    ms(r.scrapeMaxMs),
    r.scrapes,
    ms(r.directP50Ms),
    ms(r.directP99Ms),
  ]);
  return `### 11. Scraping a master\n\nOne master with ${rows.map((r) => r.workers).join(' and ')} idle workers, scraped every second for ${s.idleSeconds} s by Debian's Prometheus; "Prometheus scrape" is its own \`scrape_duration_seconds\` (median and maximum over the run), "series" its \`scrape_samples_scraped\`; then ${DIRECT_SCRAPES} scrapes in a row from a plain client.${f ? ` statefork's series per master: ${f.base} + ${f.perWorker} per worker; the process's own (\`process_*\`, \`nodejs_*\`) ${f.processMin === f.processMax ? f.processMin : `${f.processMin} to ${f.processMax}`}.` : ''}\n\n${[
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ].join('\n')}`;
}
