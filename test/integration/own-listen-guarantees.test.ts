/**
 * An app that listens itself has every guarantee the exported forms have, checked for real on
 * one such app (fixtures/apps/listen/everything.mjs): the access log, request metrics and
 * health endpoints; a graceful drain on scale-down (requests in flight finish, a long-lived
 * stream is told through statefork/worker); recycling; the hang stack of a hung worker; the
 * per-worker load; and the adaptive count.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { describe, expect, it } from 'vitest';
import { APPS, eventually, startServing, type Rec, type Running } from '../helpers/cli.js';
import { get, pidOf, requestLoop } from '../helpers/http.js';

const APP = join(APPS, 'listen', 'everything.mjs');

/** A request whose headers name the worker at once; `done` is its whole reply. */
function inFlight(url: string): Promise<{ pid: number; done: Promise<{ status: number; body: string }> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        const done = new Promise<{ status: number; body: string }>((ok, fail) => {
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => ok({ status: res.statusCode!, body }));
          res.on('error', fail);
        });
        resolve({ pid: Number(res.headers['x-pid']), done });
      })
      .on('error', reject);
  });
}

/** Opens requests until each worker has at least one in flight (the kernel picks who accepts). */
async function oneInFlightOnEach(url: string, pids: number[]) {
  const flights: Array<Awaited<ReturnType<typeof inFlight>>> = [];
  for (let i = 0; i < 40 && !pids.every((p) => flights.some((f) => f.pid === p)); i++) flights.push(await inFlight(url));
  expect(pids.every((p) => flights.some((f) => f.pid === p))).toBe(true);
  return flights;
}

const exitOf = (pid: number) => (x: Rec) => x.machine === 'master.worker' && x.to === 'exited' && x.workerPid === pid;

describe('an app that listens itself keeps every guarantee', () => {
  it('the access log, request metrics and health endpoints see its requests', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'statefork-own-')), 'access.log');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--access-log', log, '--metrics', '127.0.0.1:0', '--health', '127.0.0.1:0', APP]);
    const metrics = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const health = (await m.waitFor((x) => typeof x.health === 'string')).health as string;
    for (const path of ['/', '/slow?ms=10', '/nothing-here']) expect((await get(`${m.url()}${path}`)).status).toBe(200);
    await eventually(() => readFileSync(log, 'utf8').split('\n').filter(Boolean).length === 3, 10_000, 'three access log lines');
    const lines = readFileSync(log, 'utf8');
    for (const path of ['"GET / HTTP/1.1" 200', '"GET /slow?ms=10 HTTP/1.1" 200', '"GET /nothing-here HTTP/1.1" 200']) expect(lines).toContain(path);
    // The workers report their counts on their heartbeat: scrape until the three are in.
    let scrape = '';
    for (const deadline = Date.now() + 15_000; !/^statefork_requests_total 3$/m.test(scrape) && Date.now() < deadline;) scrape = (await get(metrics)).body;
    expect(scrape).toMatch(/^statefork_requests_total 3$/m);
    expect(scrape).toMatch(/^statefork_request_duration_seconds_count 3$/m);
    const ready = await get(`${health}/readyz`);
    expect([ready.status, JSON.parse(ready.body)]).toMatchObject([200, { status: 'ok', workers: { ready: 2, target: 2 } }]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('scale-down (TTOU) drains the retiring worker: its requests in flight finish with 200', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', APP]);
    const pids = m.workerPids();
    const flights = await oneInFlightOnEach(`${m.url()}/slow?ms=1500`, pids);
    const from = m.records.length;
    m.signal('SIGTTOU');
    const gone = await m.waitFor((x) => x.machine === 'master.worker' && x.to === 'exited', { from, what: 'the retired worker to exit', timeoutMs: 15_000 });
    expect(pids).toContain(gone.workerPid);
    for (const f of flights) expect(await f.done).toEqual({ status: 200, body: `slow from ${f.pid}\n` });
    expect(m.workerPids()).toEqual(pids.filter((p) => p !== gone.workerPid));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a long-lived stream is ended through statefork/worker when its worker drains on a HUP', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', APP]);
    const [pid] = m.workerPids();
    const seen: string[] = [];
    const source = new EventSource(`${m.url()}/events`);
    source.onmessage = (e) => seen.push(e.data);
    await eventually(() => seen.length === 1, 5000, 'the first event');
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(exitOf(pid), { from, what: 'the old worker to exit once its stream ended', timeoutMs: 15_000 });
    await eventually(() => seen.length >= 2, 5000, 'the stream resumed on the new worker');
    source.close();
    expect(seen[0]).toBe(String(pid));
    expect(m.workerPids()).toEqual([Number(seen[1])]);
    // The drain ended the stream: the worker left well before --graceful-timeout (30 s) and was not killed.
    expect(m.records.slice(from).some((x) => /SIGKILL/.test(String(x.msg)))).toBe(false);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('--max-requests recycles its workers: replaced at the limit, replacement first, every request answered', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--max-requests', '5', APP]);
    const [first] = m.workerPids();
    for (let i = 0; i < 5; i++) expect(pidOf((await get(`${m.url()}/`)).body)).toBe(first);
    const asked = await m.waitFor((r) => r.role === 'worker' && r.pid === first && /^recycling limit reached/.test(r.msg ?? ''), {
      what: 'the first worker to ask for its replacement',
    });
    expect(asked).toMatchObject({ reason: 'max-requests', requests: 5, limit: 5 });
    await m.waitFor(exitOf(first), { what: 'the recycled worker to exit' });
    const [second] = m.workerPids();
    expect(second).not.toBe(first);
    expect(pidOf((await get(`${m.url()}/`)).body)).toBe(second);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a hung worker is explained by its stack (the function and file:line), then replaced', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', '2', APP]);
    const [pid] = m.workerPids();
    const from = m.records.length;
    void get(`${m.url()}/loop`, { timeoutMs: 20_000 }).catch(() => {});
    const hung = await m.waitFor((x) => x.event === 'hung', { from, what: 'the hung record', timeoutMs: 15_000 });
    expect(hung).toMatchObject({ level: 50, workerPid: pid });
    expect(hung.stack[0]).toMatch(/^spinForever file:\/\/.*\/everything\.mjs:9:\d+$/);
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 2, { from, what: 'the replacement' });
    expect((await get(`${m.url()}/`)).status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('its load is measured: a busy worker is logged as busy, not hung', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', '10', APP]);
    const from = m.records.length;
    let stop = false;
    const load = (async () => {
      while (!stop) await get(`${m.url()}/busy?ms=300`);
    })();
    const busy = await m.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('worker 1 is busy'), {
      from,
      what: 'the busy warning',
      timeoutMs: 15_000,
    });
    stop = true;
    await load;
    expect(busy).toMatchObject({ level: 40, id: 1, workerPid: m.workerPids()[0] });
    expect(m.records.slice(from).some((x) => x.event === 'hung')).toBe(false);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('the adaptive count follows the load up and back down, nothing failed', async () => {
    const m: Running = await startServing([
      '--workers',
      '1:2',
      '--scale-up-after',
      '0.5',
      '--scale-down-after',
      '2',
      '--scale-cooldown',
      '3',
      '-b',
      '127.0.0.1:0',
      APP,
    ]);
    let stop = false;
    const from = m.records.length;
    const loading = requestLoop(`${m.url()}/busy?ms=25`, { concurrency: 24, stop: () => stop, maxMs: 40_000 });
    await m.waitFor((x) => x.event === 'scale' && x.direction === 'up', { from, what: 'a scale-up', timeoutMs: 20_000 });
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 2, { from, what: 'the second worker ready' });
    stop = true;
    const result = await loading;
    expect(result.failures).toEqual([]);
    await m.waitFor((x) => x.event === 'scale' && x.direction === 'down', { from, what: 'the scale-down once quiet', timeoutMs: 20_000 });
    await eventually(() => m.workerPids().length === 1, 15_000, 'one worker again');
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});
