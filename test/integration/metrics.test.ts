/**
 * --metrics, for real: scrape a running master's Prometheus endpoint and watch the values move
 * as requests, signals, crashes and reloads happen.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, refusal, startServing, type Running } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

/** One scrape, as series → value (`name{labels}` exactly as exposed). */
async function scrape(url: string): Promise<Map<string, number>> {
  const { status, body, headers } = await get(url);
  expect([status, headers['content-type']]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
  return new Map(
    body
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const at = l.lastIndexOf(' ');
        return [l.slice(0, at), Number(l.slice(at + 1))];
      }),
  );
}

/** Scrapes until `check` holds (the workers report on their heartbeat), with a deadline. */
async function until(url: string, check: (m: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  const deadline = Date.now() + 15_000;
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last scrape:\n${[...last]
          .filter(([k]) => k.startsWith('statefork'))
          .map(([k, v]) => `${k} ${v}`)
          .join('\n')}`,
      );
    last = await scrape(url);
  }
  return last;
}

async function metricsMaster(app: string, workers = 2): Promise<{ m: Running; url: string }> {
  const m = await startServing(['-w', String(workers), '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', app]);
  return { m, url: (await m.waitFor((x) => typeof x.metrics === 'string')).metrics };
}

describe('--metrics', () => {
  it('workers, target, state, heartbeats, requests and their durations, process metrics', async () => {
    const { m, url } = await metricsMaster('hello.cjs');
    const first = await scrape(url);
    expect(first.get('statefork_workers{state="ready"}')).toBe(2);
    expect(first.get('statefork_workers{state="booting"}')).toBe(0);
    expect(first.get('statefork_workers_target')).toBe(2);
    expect(first.get('statefork_master_state{state="serving.running"}')).toBe(1);
    expect(first.get('statefork_master_transitions_total{event="WORKER_READY",to="serving.running"}')).toBe(1);
    for (const id of [1, 2]) expect(first.get(`statefork_worker_heartbeat_age_seconds{slot="${id}"}`)).toBeLessThan(5);
    expect(first.get('statefork_requests_total')).toBe(0);
    expect(first.get('statefork_request_duration_seconds_count')).toBe(0);
    expect(first.get('statefork_worker_exits_total{reason="crash"}')).toBe(0);
    expect(first.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(first.has('nodejs_heap_size_used_bytes')).toBe(true);
    for (let i = 0; i < 4; i++) await get(`${m.url()}/`);
    await get(`${m.url()}/slow?ms=300`);
    const later = await until(url, (x) => x.get('statefork_request_duration_seconds_count') === 5, 'five requests counted');
    expect(later.get('statefork_requests_total')).toBe(5);
    expect(later.get('statefork_request_duration_seconds_bucket{le="0.25"}')).toBe(4);
    expect(later.get('statefork_request_duration_seconds_bucket{le="0.5"}')).toBe(5);
    expect(later.get('statefork_request_duration_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(later.get('statefork_request_duration_seconds_sum')).toBeGreaterThan(0.3);
    expect((await get(url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('exits by reason, boot failures and reloads by outcome move with signals; request totals survive the workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-metrics-'));
    cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
    const { m, url } = await metricsMaster(join(dir, 'app.cjs'));
    for (let i = 0; i < 3; i++) await get(`${m.url()}/`);
    await until(url, (x) => x.get('statefork_requests_total') === 3, 'three requests counted');
    m.signal('SIGTTIN');
    await until(url, (x) => x.get('statefork_workers_target') === 3 && x.get('statefork_workers{state="ready"}') === 3, 'a third worker');
    m.signal('SIGTTOU');
    await until(url, (x) => x.get('statefork_worker_exits_total{reason="scale"}') === 1, 'an exit for scale');
    process.kill(m.workerPids()[0], 'SIGKILL');
    await until(
      url,
      (x) => x.get('statefork_worker_exits_total{reason="crash"}') === 1 && x.get('statefork_workers{state="ready"}') === 2,
      'a crash, replaced',
    );
    m.signal('SIGHUP');
    const reloaded = await until(
      url,
      (x) => x.get('statefork_reloads_total{outcome="completed"}') === 1 && x.get('statefork_worker_exits_total{reason="reload"}') === 2,
      'a completed reload',
    );
    // The workers that served the three requests are gone; the total is not.
    expect(reloaded.get('statefork_requests_total')).toBe(3);
    writeFileSync(join(dir, 'app.cjs'), "throw new Error('broken release');\n");
    m.signal('SIGHUP');
    const broken = await until(url, (x) => x.get('statefork_reloads_total{outcome="abandoned"}') === 1, 'an abandoned reload');
    expect(broken.get('statefork_worker_boot_failures_total')).toBeGreaterThanOrEqual(1);
    expect(broken.get('statefork_worker_exits_total{reason="boot_failure"}')).toBe(broken.get('statefork_worker_boot_failures_total'));
    expect(broken.get('statefork_master_transitions_total{event="HUP",to="serving.reloading.configuring"}')).toBe(2);
    expect(broken.get('statefork_workers{state="ready"}')).toBe(2);
  });

  it('a reload whose configuration does not load counts as config_failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-metrics-'));
    cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
    writeFileSync(join(dir, 'statefork.config.mjs'), "export default { app: './app.cjs', bind: '127.0.0.1:0', workers: 1, metrics: '127.0.0.1:0' };\n");
    const m = await startServing([], { cwd: dir });
    const url = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics;
    writeFileSync(join(dir, 'statefork.config.mjs'), "export default { app: './app.cjs', workers: 'many' };\n");
    m.signal('SIGHUP');
    const after = await until(url, (x) => x.get('statefork_reloads_total{outcome="config_failed"}') === 1, 'a reload with a broken configuration');
    expect(after.get('statefork_reloads_total{outcome="completed"}')).toBe(0);
    expect(after.get('statefork_master_state{state="serving.running"}')).toBe(1);
  });

  it('exits for a hung worker (timeout) and for recycling count under their reasons', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--timeout', '1', '--max-requests', '3', 'hello.cjs']);
    const url = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics;
    get(`${m.url()}/hang`).catch(() => {});
    await until(url, (x) => x.get('statefork_worker_exits_total{reason="timeout"}') === 1, "the hung worker's exit");
    for (let i = 0; i < 8; i++) await get(`${m.url()}/`);
    const after = await until(url, (x) => (x.get('statefork_worker_exits_total{reason="recycled"}') ?? 0) >= 1, "a recycled worker's exit");
    expect(after.get('statefork_worker_exits_total{reason="crash"}')).toBe(0);
    expect(after.get('statefork_workers_target')).toBe(2);
  });

  it('is off by default; a bad address is refused (exit 2), one in use too (exit 1)', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    expect(m.records.some((x) => 'metrics' in x)).toBe(false);
    const bad = await refusal(['--metrics', 'nowhere', 'hello.cjs']);
    expect([bad.code, bad.lines]).toEqual([2, ["statefork: error: invalid --metrics 'nowhere': expected HOST:PORT or PORT (e.g. --metrics 127.0.0.1:9100)"]]);
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    try {
      const { port } = busy.address() as { port: number };
      const taken = await refusal(['-w', '1', '-b', '127.0.0.1:0', '--metrics', String(port), 'hello.cjs']);
      expect(taken.code).toBe(1);
      expect(taken.lines.at(-1)).toBe(`statefork: error: cannot serve metrics at 127.0.0.1:${port}: EADDRINUSE; choose another --metrics address`);
    } finally {
      busy.close();
    }
  });
});
