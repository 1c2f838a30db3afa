/**
 * A fleet watched by a real Prometheus: three statefork masters on loopback, scraped every
 * second with the shipped rules loaded. Asserted through Prometheus's own HTTP API: it scrapes
 * them, the fleet's worker count adds up, a reload and a hung worker are in the counters it
 * stored, the hung worker's alert fires (a stopped master's is pending), and every expression of the shipped Grafana dashboard
 * runs and finds data. The rules' own unit tests run with promtool.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServing, type Running } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { killAll, scrapeConfig, startPrometheus, valueOf, type Sample } from '../helpers/prometheus.js';

afterEach(killAll);

const MONITORING = fileURLToPath(new URL('../../src/metrics/monitoring/', import.meta.url));
const RULES = `${MONITORING}rules.yml`;
const RULE_TESTS = fileURLToPath(new URL('../src/metrics/rules.test.yml', import.meta.url));

interface Dashboard {
  templating: { list: Array<{ name: string; definition?: string }> };
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
}
const dashboard = JSON.parse(readFileSync(`${MONITORING}dashboard.json`, 'utf8')) as Dashboard;
/** Every expression of the dashboard, with Grafana's variables as they would be for "All". */
const dashboardExprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*') })),
);
/** Every expression of the rules file. */
const ruleExprs = [...readFileSync(RULES, 'utf8').matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]);
/** The metric names an expression reads (not functions, keywords, labels or recording rules). */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  return [...withoutStrings.matchAll(/(?<![a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:])(?!\s*\()/g)]
    .map((m) => m[1])
    .filter((n) => !['and', 'or', 'unless', 'bool', 'offset'].includes(n) && !n.includes(':'));
}

/** The metric names one real scrape exposes (a histogram's as its _bucket, _sum and _count). */
async function exposed(url: string): Promise<Set<string>> {
  const { body } = await get(url);
  return new Set(
    body
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
  );
}

const byName = (r: Sample[]) => Object.fromEntries(r.map((s) => [s.metric.name, Number(s.value[1])]));

describe('Prometheus, for real', () => {
  it('promtool: the rules check, and their unit tests pass', () => {
    expect(execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' })).toMatch(/SUCCESS: 15 rules found/);
    const tested = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(`${tested.stdout}${tested.stderr}`).toMatch(/SUCCESS/);
    expect(tested.status).toBe(0);
  });

  it('scrapes a fleet of three masters: up, the workers add up, a reload and a hung worker are stored, the alerts fire, the dashboard finds data', async () => {
    const master = async (name: string, workers: number, app: string, extra: string[] = []) => {
      const m = await startServing(['-w', String(workers), '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', '--name', name, ...extra, app]);
      return { m, url: (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string };
    };
    const fleet: Array<{ m: Running; url: string }> = await Promise.all([
      master('web-1', 2, 'hello.cjs'),
      master('web-2', 1, 'hello.cjs'),
      // --timeout 2: a worker stuck in a loop is aborted after two silent seconds.
      master('web-3', 3, 'hangs.mjs', ['--timeout', '2']),
    ]);
    const targets = fleet.map((f) => new URL(f.url).host);
    const prom = await startPrometheus(scrapeConfig(targets, [RULES]));

    const up = await prom.until('up{job="statefork"}', (r) => r.length === 3 && r.every((s) => valueOf(s) === 1), 'three masters up');
    expect(up.map((s) => s.metric.instance).sort()).toEqual([...targets].sort());
    // Each master is told apart by instance and by its --name.
    const ready = await prom.until('sum(statefork_workers{state="ready"})', (r) => valueOf(r[0]) === 6, 'six ready workers across the fleet');
    expect(valueOf(ready[0])).toBe(6);
    // Settled: every worker of the fleet, in any state, is one of those six.
    expect(valueOf((await prom.query('sum(statefork_workers)'))[0])).toBe(6);
    expect(byName(await prom.query('sum by (name) (statefork_workers{state="ready"})'))).toEqual({ 'web-1': 2, 'web-2': 1, 'web-3': 3 });
    // The shipped recording rule, evaluated by this Prometheus.
    await prom.until('job:statefork_workers_ready:sum', (r) => valueOf(r[0]) === 6, 'the recording rule to add the fleet up');

    // A reload of web-1, as Prometheus stored it.
    fleet[0].m.signal('SIGHUP');
    await fleet[0].m.waitFor(
      (x) => /^reload complete/.test(x.msg ?? '') || (x.event === 'transition' && x.from?.startsWith('serving.reloading') && x.to === 'serving.running'),
    );
    const reloads = await prom.until('statefork_reloads_total{outcome="completed"}', (r) => byName(r)['web-1'] === 1, 'the reload in the stored counter');
    expect(byName(reloads)).toEqual({ 'web-1': 1, 'web-2': 0, 'web-3': 0 });

    // A hung worker on web-3: aborted, counted, and its alert fires.
    void get(`${fleet[2].m.url()}/loop`, { timeoutMs: 20_000 }).catch(() => null);
    await fleet[2].m.waitFor((x) => x.msg === 'worker timeout', { timeoutMs: 20_000 });
    const hangs = await prom.until('sum by (name) (statefork_worker_hangs_total)', (r) => byName(r)['web-3'] === 1, 'the hang in the stored counter');
    expect(byName(hangs)).toEqual({ 'web-1': 0, 'web-2': 0, 'web-3': 1 });
    // Its exit comes once its stack is taken and it is gone.
    const timeouts = await prom.until(
      'statefork_worker_exits_total{reason="timeout"}',
      (r) => byName(r)['web-3'] === 1,
      "the hung worker's exit in the stored counter",
    );
    expect(byName(timeouts)).toEqual({ 'web-1': 0, 'web-2': 0, 'web-3': 1 });
    const alerts = await prom.api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts');
    const firing = async () =>
      (await prom.api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts')).alerts.filter((a) => a.state === 'firing');
    let hung = (await firing()).filter((a) => a.labels.alertname === 'StateforkWorkerHung');
    for (const end = Date.now() + 10_000; hung.length === 0 && Date.now() < end; await new Promise((ok) => setTimeout(ok, 250)))
      hung = (await firing()).filter((a) => a.labels.alertname === 'StateforkWorkerHung');
    expect(hung.map((a) => [a.labels.name, a.labels.instance, a.labels.severity])).toEqual([['web-3', targets[2], 'warning']]);
    expect(alerts.alerts.filter((a) => a.labels.alertname !== 'StateforkWorkerHung' && a.state === 'firing')).toEqual([]);

    // The dashboard: every expression runs in this Prometheus and finds data from this fleet.
    await prom.until('count(rate(statefork_requests_total[1m]))', (r) => valueOf(r[0]) === 3, 'two samples of every master for rate()');
    for (const { panel, expr } of dashboardExprs) {
      const result = await prom.query(expr);
      expect({ panel, expr, found: result.length > 0 }).toEqual({ panel, expr, found: true });
    }
    expect(dashboardExprs.length).toBeGreaterThan(20);

    // A master stopped dead: its scrapes fail, and the master-down alert is pending (it fires after a minute).
    fleet[1].m.signal('SIGSTOP');
    await prom.until(`up{instance="${targets[1]}"}`, (r) => valueOf(r[0]) === 0, 'a failed scrape of the stopped master');
    const pending = await prom.until('ALERTS{alertname="StateforkMasterDown"}', (r) => r.length > 0, 'the master-down alert, pending');
    expect(pending.map((s) => [s.metric.instance, s.metric.alertstate])).toEqual([[targets[1], 'pending']]);
    fleet[1].m.signal('SIGCONT');
    for (const f of fleet) f.m.signal('SIGTERM');
    await Promise.all(fleet.map((f) => f.m.exited));
    prom.stop();
  });

  it('every metric the dashboard and the rules read is in a real scrape', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', 'hello.cjs']);
    const url = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const read = new Set(
      [
        ...dashboardExprs.map((e) => e.expr),
        ...ruleExprs,
        ...dashboard.templating.list.flatMap((v) => /^label_values\((\w+),/.exec(v.definition ?? '')?.[1] ?? []),
      ].flatMap(metricsIn),
    );
    read.delete('up'); // Prometheus's own, per target
    // The per-worker series come with the worker's first report and the accept queue with the
    // master's first load sample, whichever comes last: wait for both, then check all of them.
    let names = await exposed(url);
    const late = ['statefork_worker_event_loop_utilization', 'statefork_accept_queue'];
    for (const end = Date.now() + 10_000; late.some((n) => !names.has(n)) && Date.now() < end; await new Promise((ok) => setTimeout(ok, 100)))
      names = await exposed(url);
    expect(read.size).toBeGreaterThan(15);
    expect([...read].filter((n) => !names.has(n))).toEqual([]);
    m.signal('SIGTERM');
  });
});
