import { describe, expect, it } from 'vitest';
import { eventually, isAlive, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('failures', () => {
  it('a hung worker (event loop blocked) is aborted after --timeout, killed, and replaced', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', '1', 'hello.cjs']);
    const [hung] = m.workerPids();
    get(`${m.url()}/hang`).catch(() => {});
    await m.waitFor((x) => x.msg === 'worker timeout' && x.workerPid === hung, { what: 'the worker timeout record' });
    await m.waitFor((x) => x.machine === 'master.worker' && x.workerPid === hung && x.to === 'exited');
    await m.waitFor((x) => x.msg === 'worker ready' && x.workerPid !== hung, { what: 'a replacement to be ready' });
    expect(isAlive(hung)).toBe(false);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('a worker killed with SIGKILL is replaced', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const [victim] = m.workerPids();
    const from = m.records.length;
    process.kill(victim, 'SIGKILL');
    await m.waitFor((x) => x.msg === 'worker exited: crash' && x.signal === 'SIGKILL', { from });
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(m.workerPids()).toHaveLength(2);
    expect(m.workerPids()).not.toContain(victim);
  });

  it('an app that throws at import: the master exits 4 with a one-line reason', async () => {
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', 'throws.cjs']);
    expect((await m.exited).code).toBe(4);
    const fatal = m.records.find((x) => x.level === 60);
    expect(fatal?.msg).toMatch(/^App failed to load: .*throws\.cjs threw while loading: database URL missing$/);
  });

  it('an app with no accepted export: exit 4, naming what it found and the forms accepted', async () => {
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', 'no-export.cjs']);
    expect((await m.exited).code).toBe(4);
    const fatal = m.records.find((x) => x.level === 60);
    expect(fatal?.msg).toMatch(
      /the default export .* is an object with keys \[port\]; export a request listener .*, an object with fetch\(request\), or an http\.Server .*, or call listen\(\) on an HTTP server \(it started none\)$/,
    );
  });

  it('a missing app file: exit 4', async () => {
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', 'nope.js']);
    expect((await m.exited).code).toBe(4);
    expect(m.records.find((x) => x.level === 60)?.msg).toMatch(/nope\.js does not exist/);
  });

  it('a first generation that cannot boot (not ready within --boot-timeout): the master exits 3', async () => {
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', '--boot-timeout', '1', 'slow-boot.mjs']);
    expect((await m.exited).code).toBe(3);
    expect(m.records.find((x) => x.level === 60)?.msg).toMatch(/^Worker failed to boot: not ready within 1 s \(--boot-timeout\)$/);
  });

  it('after start-up, a worker that keeps crashing is respawned with backoff and never halts the server', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const from = m.records.length;
    // A ready worker killed from outside is replaced at once (no failure counted); then each
    // replacement is killed while it boots: consecutive boot failures.
    process.kill(m.workerPids()[0], 'SIGKILL');
    for (let i = 0; i < 3; i++) {
      const spawned = await m.waitForCount((x) => x.event === 'spawned', i + 1, { from });
      process.kill(spawned[i].workerPid, 'SIGKILL');
    }
    const exits = await m.waitForCount((x) => /^worker exited: (crash|boot-failure)$/.test(x.msg ?? ''), 4, { from });
    expect(exits.map((x) => [x.msg, x.failures])).toEqual([
      ['worker exited: crash', undefined],
      ['worker exited: boot-failure', 1],
      ['worker exited: boot-failure', 2],
      ['worker exited: boot-failure', 3],
    ]);
    expect(m.child.exitCode).toBeNull();
    expect((await get(`${m.url()}/`)).status).toBe(200);
    // The third failure waits 2 s before the next respawn: a spawn does come, later.
    await m.waitForCount((x) => x.event === 'spawned', 4, { from, timeoutMs: 10_000 });
  });
});

describe('the process tree after the master dies', () => {
  it('every worker exits within a second when the master is killed mid-boot', async () => {
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', 'slow-boot.mjs']);
    await m.waitForCount((x) => x.event === 'spawned', 2);
    const workers = m.workerPids();
    m.signal('SIGKILL');
    await eventually(() => workers.every((pid) => !isAlive(pid)), 1000, 'booting workers to exit after their master died');
  });
});
