import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, isTransition, startServing } from '../helpers/cli.js';
import { get, pidOf, requestLoop } from '../helpers/http.js';

/** A private copy of the test app whose code the test can change between generations. */
function appCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-app-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  writeFileSync(join(dir, 'version.txt'), 'v1');
  return dir;
}

async function hupUnderLoad(keepAlive: boolean) {
  const dir = appCopy();
  const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--keep-alive', '1', join(dir, 'app.cjs')]);
  const oldPids = m.workerPids();
  let done = false;
  const loop = requestLoop(`${m.url()}/`, { concurrency: 4, keepAlive, stop: () => done, maxMs: 40_000 });
  writeFileSync(join(dir, 'version.txt'), 'v2');
  const from = m.records.length;
  m.signal('SIGHUP');
  await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete' });
  // Keep the load on until every old worker has exited.
  await m.waitForCount((x) => x.machine === 'master.worker' && x.to === 'exited', 2, { from, what: 'both old workers to exit' });
  const after = await get(`${m.url()}/`);
  done = true;
  const result = await loop;
  expect(result.failures).toEqual([]);
  expect(result.ok).toBeGreaterThan(20);
  expect(after.body).toMatch(/^hello v2/);
  expect(m.workerPids().some((p) => oldPids.includes(p))).toBe(false);
  expect(result.bodies.some((b) => b.startsWith('hello v2'))).toBe(true);
}

describe('HUP: zero-downtime reload', () => {
  it('loses no request while clients open a fresh connection per request', () => hupUnderLoad(false));

  it('loses no request while keep-alive clients reuse their connections', () => hupUnderLoad(true));

  it('retires old workers only as new ones report ready', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    const steps = m.records.slice(from).filter((x) => x.machine === 'master.worker');
    // Every retirement (ready -> draining) of a generation-1 worker comes after a generation-2 ready.
    let readyNew = 0;
    for (const s of steps) {
      if (s.generation === 2 && s.to === 'ready') readyNew++;
      if (s.generation === 1 && s.to === 'draining') {
        expect(readyNew).toBeGreaterThan(0);
        readyNew--;
      }
    }
  });

  it('keeps the old workers serving when the new code throws at load, and retries later', async () => {
    const dir = appCopy();
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', join(dir, 'app.cjs')]);
    const oldPids = m.workerPids();
    writeFileSync(join(dir, 'app.cjs'), "throw new Error('syntax of the new release is broken');\n");
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => /reload abandoned/.test(x.msg ?? ''), { from, what: 'the reload to be abandoned' });
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    for (let i = 0; i < 10; i++) {
      const r = await get(`${m.url()}/`);
      expect(r.status).toBe(200);
      expect(oldPids).toContain(pidOf(r.body));
    }
    // The new generation's other worker was retired as it booted: once its exit is in, only the old remain.
    const newIds = [
      ...new Set(
        m.records
          .slice(from)
          .filter((x) => x.event === 'spawned' && x.generation === 2)
          .map((x) => x.id),
      ),
    ];
    await m.waitForCount((x) => x.machine === 'master.worker' && x.to === 'exited' && newIds.includes(x.id), newIds.length, {
      from,
      what: 'the new generation gone',
    });
    expect(m.workerPids().sort()).toEqual([...oldPids].sort());
    expect(m.child.exitCode).toBeNull();
  });

  it('tells retired workers the master holds the sockets; a stop and an outside TERM still sweep the backlog', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const drainRecord = (pid?: number) => (r: Record<string, any>) => r.role === 'worker' && 'sweepBacklog' in r && (pid === undefined || r.pid === pid);
    let from = m.records.length;
    m.signal('SIGHUP');
    const retired = await m.waitForCount(drainRecord(), 2, { from, what: 'both old workers to drain' });
    expect(retired.map((r) => r.sweepBacklog)).toEqual([false, false]);
    const gone = (pid: number) => (r: Record<string, any>) => r.machine === 'master.worker' && r.to === 'exited' && r.workerPid === pid;
    for (const r of retired) await m.waitFor(gone(r.pid), { from });

    from = m.records.length;
    m.signal('SIGTTOU');
    const chosen = await m.waitFor((r) => r.machine === 'master.worker' && r.to === 'draining' && r.cause === 'TTOU', { from });
    expect((await m.waitFor(drainRecord(chosen.workerPid), { from, what: 'the TTOU-retired worker to drain' })).sweepBacklog).toBe(false);
    await m.waitFor(gone(chosen.workerPid), { from });

    // A TERM from someone else: the worker cannot know the master holds the sockets.
    from = m.records.length;
    const [victim] = m.workerPids();
    process.kill(victim, 'SIGTERM');
    expect((await m.waitFor(drainRecord(victim), { from, what: 'the worker to drain' })).sweepBacklog).toBe(true);
    await m.waitFor((r) => r.msg === 'worker ready', { from, what: 'its replacement' });

    from = m.records.length;
    m.signal('SIGTERM');
    const stopping = await m.waitForCount(drainRecord(), 1, { from, what: 'the worker to drain on stop' });
    expect(stopping.map((r) => r.sweepBacklog)).toEqual([true]);
    expect((await m.exited).code).toBe(0);
  });
});
