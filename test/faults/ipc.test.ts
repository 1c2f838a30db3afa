/**
 * A worker cannot crash the master through its channel (hardening, item 1), for real: the app
 * runs as nobody (when the tests run as root, as in CI) and writes to fd 3 what a hostile or
 * buggy app could: a line that is not JSON, one that never ends, deep JSON that is not a
 * message, a flood of valid messages, all of it from many workers at once. And the master's last
 * resort: a hook that throws later, on its own, stops it gracefully with exit 1.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, CLI, eventually, isAlive, isTransition, startServing, type Running } from '../helpers/cli.js';
import { get, requestLoop } from '../helpers/http.js';
import { execFileSync } from 'node:child_process';
import { BACKOFF_CAP_MS, STABLE_MS } from '../../dist/machines/index.js';

const isRoot = process.getuid?.() === 0;
const asNobody = isRoot ? ['-u', 'nobody'] : [];
const PROTOCOL = 'worker broke the IPC protocol: killed, and replaced';
/**
 * How long the storm takes to heal at worst: replacements that were already loading when the
 * trigger went are dismissed too, so the backoff can reach its cap before the next spawn; then
 * the workers must stay up for STABLE_MS before the backoff resets. Plus boots on a loaded CI.
 */
const HEAL_MS = BACKOFF_CAP_MS + STABLE_MS + 15_000;
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }))![1]);

/** Ready workers as the log tells (ready and not exited since). */
function readyWorkers(m: Running): number[] {
  const ready = new Map<number, number>();
  for (const x of m.records) {
    if (x.msg === 'worker ready') ready.set(x.id, x.workerPid);
    if (x.machine === 'master.worker' && !['ready', 'booting', 'spawning'].includes(x.to)) ready.delete(x.id);
  }
  return [...ready.values()];
}

async function servesAll(m: Running, n = 20): Promise<void> {
  for (let i = 0; i < n; i++) expect((await get(`${m.url()}/`)).status).toBe(200);
}

describe('a worker cannot crash the master through its channel', () => {
  it.each([
    ['/garbage', /^a line that is not JSON \("this is not JSON"\)$/],
    ['/endless', /^a line over 16384 bytes/],
    ['/deep', /^a message that is not statefork's \("\[\[\[/],
  ])('%s: that worker is killed and replaced, the master and the site serve on', async (route, reason) => {
    const m = await startServing([...asNobody, '-w', '2', '-b', '127.0.0.1:0', 'misbehave.cjs']);
    if (isRoot) for (const pid of m.workerPids()) expect(uidOf(pid)).toBe(65534);
    const from = m.records.length;
    await get(`${m.url()}${route}`).catch(() => {}); // its worker may be killed before it answers
    const broke = await m.waitFor((x) => x.msg === PROTOCOL, { from });
    expect(broke).toMatchObject({ level: 50, role: 'master', id: expect.any(Number), workerPid: expect.any(Number), reason: expect.stringMatching(reason) });
    const exit = await m.waitFor((x) => /^worker exited/.test(x.msg ?? '') && x.id === broke.id, { from });
    expect(exit).toMatchObject({ signal: 'SIGKILL', reason: expect.stringMatching(/^broke the IPC protocol: /) });
    await m.waitFor((x) => x.msg === 'worker ready', { from, what: 'its replacement' });
    expect(isAlive(m.pid)).toBe(true);
    await servesAll(m);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it(
    'a storm: every worker breaks it at once, and their replacements too; the master backs off and recovers',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'statefork-storm-'));
      chmodSync(dir, 0o755); // the workers (nobody) look for the trigger
      const trigger = join(dir, 'misbehave');
      const m = await startServing([...asNobody, '-w', '4', '-b', '127.0.0.1:0', '-e', `MISBEHAVE_AT_LOAD=${trigger}`, 'misbehave.cjs']);
      const from = m.records.length;
      // Every ready worker at once, then each replacement as it loads: garbage from all of them.
      writeFileSync(trigger, '');
      // ?while: a request the kernel still holds when the fix lands (its client gave up, its bytes
      // wait in the accept queue) must not break the workers that come after it.
      await Promise.all(Array.from({ length: 40 }, () => get(`${m.url()}/garbage?while=${encodeURIComponent(trigger)}`).catch(() => {})));
      // ...and the replacements as they load (ids above the first four).
      await m.waitFor((x) => x.msg === PROTOCOL && x.id > 4, { from, what: 'a replacement dismissed too' });
      // Each dismissal counts for the backoff, one by one: replacements wait longer each time.
      const dismissed = m.records.slice(from).filter((x) => x.msg === PROTOCOL);
      expect(dismissed.map((x) => x.failures)).toEqual(dismissed.map((_, i) => i + 1));
      expect(isAlive(m.pid)).toBe(true);
      // The deploy is fixed: once the backoff has passed, four workers serve again.
      rmSync(trigger);
      // A failure here shows what the master did meanwhile (the backoff's decisions are in its log).
      await eventually(() => readyWorkers(m).filter(isAlive).length === 4, HEAL_MS, 'four ready workers again').catch((e: Error) => {
        const tail = m.records
          .slice(from)
          .filter((x) => x.level >= 30 && x.event !== 'transition')
          .slice(-30)
          .map((x) => JSON.stringify(x))
          .join('\n');
        throw new Error(`${e.message}; ready now: ${JSON.stringify(readyWorkers(m))}; the master's last records:\n${tail}`);
      });
      await m.waitFor((x) => x.msg === 'workers stable again: respawn backoff reset', { from, timeoutMs: HEAL_MS });
      await servesAll(m);
      m.signal('SIGTERM');
      expect((await m.exited).code).toBe(0);
    },
    30_000 + 2 * HEAL_MS,
  );

  it('a flood of valid messages from one worker: the master stays responsive and no request is lost', async () => {
    const control = join(mkdtempSync(join(tmpdir(), 'statefork-flood-')), 'ctl.sock');
    const m = await startServing([...asNobody, '-w', '2', '-b', '127.0.0.1:0', '--timeout', '3', '--control-socket', control, 'misbehave.cjs']);
    const from = m.records.length;
    let done = false;
    const loop = requestLoop(`${m.url()}/`, { concurrency: 2, stop: () => done, maxMs: 30_000 });
    const flooders = Array.from({ length: 4 }, () => get(`${m.url()}/flood?n=200000`));
    await m.waitForCount((x) => x.app === 'request' && x.path === '/flood', 4, { from });
    // The master answers its control socket and keeps ticking while the floods are read.
    const status = JSON.parse(execFileSync(process.execPath, [CLI, 'status', '--json', '--control-socket', control], { encoding: 'utf8', timeout: 10_000 }));
    expect(status).toMatchObject({ pid: m.pid, workers: { ready: 2 } });
    const ticks = m.records.length;
    m.signal('SIGUSR1');
    await m.waitFor((x) => x.msg === 'log files reopened', { from: ticks });
    for (const reply of await Promise.all(flooders)) expect(reply.status).toBe(200);
    done = true;
    const result = await loop;
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(0);
    // Valid messages, however many: no worker was dismissed, none timed out.
    expect(m.records.slice(from).filter((x) => x.msg === PROTOCOL || x.msg === 'worker timeout')).toEqual([]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

describe("the master's last resort", () => {
  it('a hook that throws later on its own: one fatal record, a graceful stop that finishes the requests, exit 1', async () => {
    const m = await startServing(['-c', join(APPS, '..', 'faulty-hooks.config.mjs')], { env: { FAULT_HOOK: 'childExit' } });
    const slow = get(`${m.url()}/slow?ms=1500`);
    const { pid } = await m.waitFor((x) => x.app === 'request');
    const from = m.records.length;
    process.kill(
      m.workerPids().find((p) => p !== pid)!,
      'SIGKILL',
    ); // childExit runs, and its bug fires
    const fatal = await m.waitFor((x) => x.level === 60 && /^uncaught error in the master/.test(x.msg ?? ''), { from });
    expect(fatal.msg).toBe('uncaught error in the master (uncaughtException): TypeError: a bug in the childExit hook');
    await m.waitFor(isTransition('master', 'stopping.graceful'), { from });
    expect((await slow).status).toBe(200);
    const { code } = await m.exited;
    expect(code).toBe(1);
    expect(m.records.find((x) => x.msg === 'master fault: TypeError: a bug in the childExit hook')).toMatchObject({ level: 60, exitCode: 1 });
    expect(m.workerPids().filter(isAlive)).toEqual([]);
  });
});
