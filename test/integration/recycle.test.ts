/**
 * Worker recycling for real: --max-requests (with jitter) and --max-memory. A worker at its
 * limit is replaced, its replacement boots first, and no client request fails because of it;
 * the options behave the same from the command line, STATEFORK_CMD_ARGS and a config file.
 */
import { mkdtempSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, startCli, startServing, type Rec, type Running, refusal } from '../helpers/cli.js';
import { get, pidOf, requestLoop } from '../helpers/http.js';

const asked = (r: Rec) => r.role === 'worker' && /^recycling limit reached/.test(r.msg ?? '');
const recycledExit = (r: Rec) => r.machine === 'master.worker' && r.from === 'draining' && r.to === 'exited';

/** From the master's worker records: whenever a worker left "ready", how many others were ready. */
function readyWhenRetiring(records: Rec[]): number[] {
  const ready = new Set<number>();
  const counts: number[] = [];
  for (const r of records) {
    if (r.machine !== 'master.worker' || r.event !== 'transition') continue;
    if (r.to === 'ready') ready.add(r.id);
    if (r.from === 'ready') {
      ready.delete(r.id);
      if (r.to === 'draining') counts.push(ready.size);
    }
  }
  return counts;
}

async function recyclesUnderLoad(keepAlive: boolean) {
  const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--keep-alive', '1', '--max-requests', '25', 'hello.cjs']);
  let done = false;
  const loop = requestLoop(`${m.url()}/`, { concurrency: 4, keepAlive, stop: () => done, maxMs: 40_000 });
  await m.waitForCount(recycledExit, 3, { timeoutMs: 40_000, what: 'three recycled workers to exit' });
  done = true;
  const result = await loop;
  expect(result.failures).toEqual([]);
  expect(result.ok).toBeGreaterThan(75);
  // Each worker asked at exactly its limit, and was replaced before it was retired.
  for (const r of m.records.filter(asked)) expect(r).toMatchObject({ reason: 'max-requests', requests: 25, limit: 25 });
  const counts = readyWhenRetiring(m.records);
  expect(counts.length).toBeGreaterThanOrEqual(3);
  expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
  expect(m.records.filter((r) => r.msg === 'worker exited: retired').length).toBeGreaterThanOrEqual(3);
  expect(new Set(result.bodies.map(pidOf)).size).toBeGreaterThan(2);
}

function project(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-recycle-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  writeFileSync(join(dir, 'statefork.config.mjs'), config);
  return dir;
}

/** Sends requests one at a time until the worker that answered the first one has asked to go. */
async function untilAsked(m: Running, max: number): Promise<Rec> {
  const first = pidOf((await get(`${m.url()}/`)).body);
  for (let i = 1; i < max && !m.records.some((r) => asked(r) && r.pid === first); i++) await get(`${m.url()}/`);
  return m.waitFor((r) => asked(r) && r.pid === first, { what: 'the worker to ask for its replacement' });
}

describe('--max-requests', () => {
  it('replaces each worker at its limit, replacement first, losing no request (fresh connections)', () => recyclesUnderLoad(false));

  it('replaces each worker at its limit, replacement first, losing no request (keep-alive clients)', () => recyclesUnderLoad(true));

  it('--max-requests-jitter adds a per-worker random 0..J to the limit', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--max-requests', '5', '--max-requests-jitter', '5', 'hello.cjs']);
    const limits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const from = m.records.length;
      const r = await untilAsked(m, 20);
      expect(r.requests).toBe(r.limit);
      limits.push(r.limit);
      await m.waitFor(recycledExit, { from, what: 'the recycled worker to exit' });
    }
    for (const limit of limits) {
      expect(limit).toBeGreaterThanOrEqual(5);
      expect(limit).toBeLessThanOrEqual(10);
    }
  });
});

describe('--max-memory', () => {
  it('replaces a worker whose resident memory passed the limit, checked on its heartbeat', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', '2', '--max-memory', '150', 'grow.cjs']);
    const before = Number(/from (\d+)/.exec((await get(`${m.url()}/`)).body)![1]);
    await get(`${m.url()}/grow?mb=200`);
    const r = await m.waitFor((x) => asked(x) && x.pid === before, { what: 'the worker to ask for its replacement' });
    expect(r).toMatchObject({ reason: 'max-memory', limitMb: 150 });
    expect(r.rssMb).toBeGreaterThan(150);
    await m.waitFor((x) => recycledExit(x) && x.workerPid === before, { what: 'the grown worker to be retired' });
    const after = Number(/from (\d+)/.exec((await get(`${m.url()}/`)).body)![1]);
    expect(after).not.toBe(before);
  });
});

describe('recycling options from every source', () => {
  it.each([
    ['the command line', [] as string[], {}, ['--max-requests', '3', '--max-memory', '900']],
    ['STATEFORK_CMD_ARGS', [], { STATEFORK_CMD_ARGS: '--max-requests 3 --max-memory 900' }, []],
    ['the config file', ['maxRequests: 3', 'maxMemory: 900'], {}, []],
  ])('from %s: --print-config shows them and a worker recycles after 3 requests', async (source, keys, env, flags) => {
    const dir = project(`export default { app: './app.cjs', bind: '127.0.0.1:0', workers: 1, ${keys.join(', ')} };\n`);
    const printed = startCli(['--print-config', ...flags], { cwd: dir, env });
    expect((await printed.exited).code).toBe(0);
    const row = (key: string) =>
      printed.stdout
        .split('\n')
        .find((l) => l.startsWith(`${key} `))!
        .split(/\s{2,}/);
    const where = source === 'the config file' ? `config file ${join(dir, 'statefork.config.mjs')}` : source === 'the command line' ? 'command line' : source;
    expect(row('maxRequests')).toEqual(['maxRequests', '3', where]);
    expect(row('maxMemory')).toEqual(['maxMemory', '900', where]);
    expect(row('maxRequestsJitter')).toEqual(['maxRequestsJitter', '0', 'default']);
    const m = await startServing(flags, { cwd: dir, env });
    const r = await untilAsked(m, 10);
    expect(r).toMatchObject({ reason: 'max-requests', requests: 3 });
  });

  it.each([
    [['--max-requests', '-1'], /option '--max-requests <n>' argument '-1' is invalid\. expected a whole number, 0 or more/],
    [['--max-requests', '1.5'], /option '--max-requests <n>' argument '1\.5' is invalid/],
    [['--max-memory', 'lots'], /option '--max-memory <MiB>' argument 'lots' is invalid/],
    [['--max-requests-jitter', '5'], /--max-requests-jitter 5 needs --max-requests/],
  ])('refuses %s with one line and exit 2', async (flags, message) => {
    const { code, lines } = await refusal([...flags, '-b', '127.0.0.1:0', 'hello.cjs']);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('names the key and the file for a bad value in the config file', async () => {
    const dir = project("export default { app: './app.cjs', maxMemory: -3 };\n");
    const r = startCli([], { cwd: dir });
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText()).toMatch(/invalid maxMemory '-3' in config file .*statefork\.config\.mjs: expected a whole number/);
  });
});
