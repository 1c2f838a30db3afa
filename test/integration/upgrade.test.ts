/**
 * Hot upgrade (USR2), for real: a new master from the files on disk takes over the sockets while
 * clients send requests the whole time; finished with WINCH + QUIT, rolled back with HUP + TERM,
 * or in one step with --upgrade-auto.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { APPS, eventually, isAlive, isTransition, startCli, startServing, type Rec, type Running } from '../helpers/cli.js';
import { get, pidOf, requestLoop } from '../helpers/http.js';

/** A private copy of the test app: version 1 on disk, and the means to put version 2 there. */
function appDir(): { dir: string; app: string; nextVersion(): void; restore(): void; breakIt(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-upgrade-'));
  const source = readFileSync(join(APPS, 'hello.cjs'), 'utf8');
  const app = join(dir, 'app.cjs');
  writeFileSync(app, source);
  return {
    dir,
    app,
    // New code: the answer itself changes, not a file the old code reads.
    nextVersion: () => writeFileSync(app, source.replace('res.end(`hello ${version}', 'res.end(`upgraded ${version}')),
    restore: () => writeFileSync(app, source),
    breakIt: () => writeFileSync(app, 'throw new Error("bad deploy");\n'),
  };
}

const from = (pid: number) => (x: Rec) => x.pid === pid;

/** USR2, then the new master's pid once it runs; it is killed when the test ends, whatever happens. */
async function usr2(m: Running): Promise<number> {
  const start = m.records.length;
  m.signal('SIGUSR2');
  const spawned = await m.waitFor((x) => x.pid === m.pid && /^new master started/.test(x.msg ?? ''), { from: start, what: 'the new master to start' });
  const pid = spawned.newMasterPid as number;
  onTestFinished(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  return pid;
}

const newMasterReady = (m: Running, pid: number, start = 0) =>
  m.waitFor((x) => from(pid)(x) && isTransition('master', 'serving.running')(x), { from: start, what: 'the new master to serve' });

describe('hot upgrade: USR2, WINCH, QUIT', () => {
  it('hands over to the new code without failing one request (fresh and keep-alive clients); the pidfile follows', async () => {
    const { dir, app, nextVersion } = appDir();
    const pidfile = join(dir, 'statefork.pid');
    const sock = join(dir, 'app.sock');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '-b', `unix:${sock}`, '-p', pidfile, '--keep-alive', '1', app]);
    const url = `${m.url()}/`;
    let done = false;
    const loops = [
      requestLoop(url, { concurrency: 3, stop: () => done, maxMs: 60_000 }),
      requestLoop(url, { concurrency: 3, keepAlive: true, stop: () => done, maxMs: 60_000 }),
    ];
    nextVersion();
    const newPid = await usr2(m);
    await newMasterReady(m, newPid);
    await m.waitFor((x) => /^new master ready: WINCH then QUIT/.test(x.msg ?? ''));
    expect(readFileSync(`${pidfile}.2`, 'utf8').trim()).toBe(String(newPid));
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(m.pid));
    m.signal('SIGWINCH');
    await m.waitFor(isTransition('master', 'serving.handedOver'));
    await m.waitForCount((x) => from(m.pid)(x) && /^worker exited: retired/.test(x.msg ?? ''), 2, { what: 'the old workers to retire' });
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    await m.waitFor((x) => from(newPid)(x) && /^promoted/.test(x.msg ?? ''));
    const after = await get(url);
    done = true;
    const results = await Promise.all(loops);
    for (const r of results) {
      expect(r.failures).toEqual([]);
      expect(r.ok).toBeGreaterThan(20);
      expect(r.bodies.some((b) => b.startsWith('hello'))).toBe(true);
    }
    expect(after.body).toMatch(/^upgraded /);
    expect(isAlive(newPid)).toBe(true);
    // The old master left the unix socket's file to the new one.
    expect((await get('', { socketPath: sock })).body).toMatch(/^upgraded /);
    // The new master's workers answer, and it owns <pidfile> now.
    const newWorkers = m.records.filter((x) => from(newPid)(x) && x.event === 'spawned').map((x) => x.workerPid);
    expect(newWorkers).toContain(pidOf(after.body));
    // The variables were the new master's alone: its workers never see them.
    for (const pid of newWorkers.filter(isAlive)) expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toMatch(/STATEFORK_(FD|FD_BINDS|UPGRADE_FROM)=/);
    expect(readFileSync(`/proc/${newPid}/environ`, 'utf8')).toMatch(/STATEFORK_FD=3,4\0/);
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(newPid));
    expect(existsSync(`${pidfile}.2`)).toBe(false);
    process.kill(newPid, 'SIGTERM');
    await eventually(() => !isAlive(newPid), 20_000, 'the new master to stop');
    expect(existsSync(pidfile)).toBe(false);
  });

  it('rolls back with HUP to the old master and TERM to the new one; the unix socket file stays', async () => {
    const { dir, app, nextVersion, restore } = appDir();
    const sock = join(dir, 'app.sock');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '-b', `unix:${sock}`, app]);
    const url = `${m.url()}/`;
    let done = false;
    const loop = requestLoop(url, { concurrency: 3, stop: () => done, maxMs: 60_000 });
    nextVersion();
    const newPid = await usr2(m);
    await newMasterReady(m, newPid);
    m.signal('SIGWINCH');
    await m.waitForCount((x) => from(m.pid)(x) && /^worker exited: retired/.test(x.msg ?? ''), 2, { what: 'the old workers to retire' });
    expect((await get(url)).body).toMatch(/^upgraded /);
    // Workers load the app from disk: the old code goes back first, then HUP.
    restore();
    const start = m.records.length;
    m.signal('SIGHUP');
    await m.waitForCount((x) => from(m.pid)(x) && x.msg === 'worker ready', 2, { from: start, what: "the old master's workers to be back" });
    process.kill(newPid, 'SIGTERM');
    await m.waitFor((x) => from(m.pid)(x) && /^the new master exited: this master serves on/.test(x.msg ?? ''), { from: start });
    expect(isAlive(newPid)).toBe(false);
    const after = await get(url);
    expect(after.body).toMatch(/^hello /);
    done = true;
    expect((await loop).failures).toEqual([]);
    // The new master left the path alone: the old one still serves on it.
    expect((await get('', { socketPath: sock })).body).toMatch(/^hello /);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });

  it('ignores a second USR2 while an upgrade is pending, and USR2 to the new master until it is promoted', async () => {
    const { app } = appDir();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', app]);
    const newPid = await usr2(m);
    m.signal('SIGUSR2');
    await m.waitFor((x) => /^USR2 ignored: an upgrade is already pending/.test(x.msg ?? ''));
    await newMasterReady(m, newPid);
    process.kill(newPid, 'SIGUSR2');
    await m.waitFor((x) => from(newPid)(x) && /^USR2 ignored: this master is itself a pending upgrade/.test(x.msg ?? ''));
    expect(m.records.filter((x) => /^new master started/.test(x.msg ?? ''))).toHaveLength(1);
  });
});

describe('hot upgrade: --upgrade-auto', () => {
  it('the old master stops by itself once the new one is ready; no request fails', async () => {
    const { app, nextVersion } = appDir();
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--upgrade-auto', app]);
    const url = `${m.url()}/`;
    let done = false;
    const loop = requestLoop(url, { concurrency: 4, keepAlive: true, stop: () => done, maxMs: 60_000 });
    nextVersion();
    const newPid = await usr2(m);
    expect((await m.exited).code).toBe(0);
    expect(m.records.some((x) => /stops \(--upgrade-auto\)/.test(x.msg ?? ''))).toBe(true);
    const after = await get(url);
    done = true;
    expect((await loop).failures).toEqual([]);
    expect(after.body).toMatch(/^upgraded /);
    expect(isAlive(newPid)).toBe(true);
  });

  it('a bad deploy cannot take the site down: the new master fails to boot, the old one serves on', async () => {
    const { app, breakIt } = appDir();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--upgrade-auto', app]);
    breakIt();
    const newPid = await usr2(m);
    const failed = await m.waitFor((x) => /^upgrade failed/.test(x.msg ?? ''));
    expect(failed).toMatchObject({ newMasterPid: newPid, code: 4, level: 50 });
    expect(isAlive(m.pid)).toBe(true);
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello /);
  });
});

describe('hot upgrade and the control socket', () => {
  it('each master answers on its own default socket; a shared --control-socket path goes to the new master', async () => {
    const { dir, app } = appDir();
    const shared = join(dir, 'app.ctl');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', shared, app]);
    const status = async (path: string) => {
      const r = startCli(['status', '--json', '--control-socket', path]);
      expect((await r.exited).code, r.stderrText()).toBe(0);
      return JSON.parse(r.stdout);
    };
    expect((await status(shared)).pid).toBe(m.pid);
    const newPid = await usr2(m);
    await m.waitFor((x) => /^new master ready/.test(x.msg ?? ''));
    expect(await status(shared)).toMatchObject({ pid: newPid, upgradeFrom: m.pid });
    m.signal('SIGWINCH');
    await m.waitFor((x) => isTransition('master', 'serving.handedOver')(x) && x.pid === m.pid);
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    await m.waitFor((x) => x.pid === newPid && /^promoted/.test(x.msg ?? ''));
    expect(await status(shared)).toMatchObject({ pid: newPid, upgradeFrom: null, state: 'serving.running' });
  });

  it('status shows the pending upgrade', async () => {
    const { app } = appDir();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', app]);
    const newPid = await usr2(m);
    await m.waitFor((x) => /^new master ready/.test(x.msg ?? ''));
    const r = startCli(['status', '--control-socket', `/run/statefork/${m.pid}.sock`]);
    await r.exited;
    expect(r.stdout).toMatch(new RegExp(`\nupgrade +new master ${newPid}, ready\n$`));
  });
});

describe('hot upgrade variables set by hand', () => {
  it('a STATEFORK_FD outside a hot upgrade, malformed or not, is refused with one line and exit 2', async () => {
    for (const fds of ['three', '3']) {
      const m = startCli(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { STATEFORK_FD: fds } });
      expect((await m.exited).code).toBe(2);
      expect(m.stderrText().trim().split('\n')).toEqual([
        expect.stringMatching(/^statefork: error: STATEFORK_FD is set, but this is not a hot upgrade .*unset it to start normally$/),
      ]);
    }
  });

  it('a stray STATEFORK_UPGRADE_FROM without the channel to an old master changes nothing', async () => {
    const { dir, app } = appDir();
    const pidfile = join(dir, 'statefork.pid');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-p', pidfile, app], { env: { STATEFORK_UPGRADE_FROM: '1' } });
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(m.pid));
    expect(existsSync(`${pidfile}.2`)).toBe(false);
    // Not a pending upgrade itself: it may start one.
    await usr2(m);
  });
});
