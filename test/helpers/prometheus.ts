/**
 * A real Prometheus (Debian's `prometheus`, installed by .ci/run) for the tests and the bench: a
 * scrape configuration for the given targets, a private TSDB directory, loopback only; queries
 * through its HTTP API. `killAll` after each test (or bench section) stops any left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, get } from './http.js';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  /** An instant query: the result vector, or the error Prometheus gives. */
  query(expr: string): Promise<Sample[]>;
  /** Queries until `check` holds on the result, with a deadline. */
  until(expr: string, check: (r: Sample[]) => boolean, what: string, timeoutMs?: number): Promise<Sample[]>;
  api<T>(path: string): Promise<T>;
  stop(): void;
}

const running = new Set<ChildProcess>();
export function killAll(): void {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
}

/** The scrape configuration: every target in job "statefork", scraped every second; `rules`, evaluated every second. */
export function scrapeConfig(targets: string[], rules: string[] = [], intervalS = 1): string {
  return [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  scrape_timeout: ${intervalS}s`,
    `  evaluation_interval: ${intervalS}s`,
    ...(rules.length ? ['rule_files:', ...rules.map((r) => `  - ${JSON.stringify(r)}`)] : []),
    'scrape_configs:',
    '  - job_name: statefork',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
}

export async function startPrometheus(config: string): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  const child = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // Its data directory goes with it, once it has stopped writing there.
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const api = async <T>(path: string): Promise<T> => {
    const r = await get(`${url}${path}`, { timeoutMs: 10_000 });
    const body = JSON.parse(r.body) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? r.body}`);
    return body.data;
  };
  const query = async (expr: string) => (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
    const ready = await get(`${url}/-/ready`, { timeoutMs: 1000 }).catch(() => null);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 20 s: ${stderr}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    url,
    query,
    api,
    async until(expr, check, what, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let last: Sample[] = [];
      while (!check((last = await query(expr)))) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${expr} gave ${JSON.stringify(last)}`);
        await new Promise((ok) => setTimeout(ok, 250));
      }
      return last;
    },
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

/** A sample's value as a number. */
export const valueOf = (s: Sample | undefined): number => (s ? Number(s.value[1]) : NaN);
