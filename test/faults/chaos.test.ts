/**
 * Faults, with real processes and bounded loops on loopback: workers killed at random under
 * load, the master killed under load, and a flood of signals.
 */
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, eventually, isAlive, isTransition, startCli, startServing, type Running } from '../helpers/cli.js';
import { freePort, get, requestLoop } from '../helpers/http.js';

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
const readdirOf = (dir: string) => execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
afterAll(() => {
  for (const dir of mounts)
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      /* gone */
    }
});

/** Ready workers as the log tells (ready and not exited). */
function readyWorkers(m: Running): number[] {
  const ready = new Map<number, number>();
  for (const x of m.records) {
    if (x.msg === 'worker ready') ready.set(x.id, x.workerPid);
    if (x.machine === 'master.worker' && x.to !== 'ready' && x.to !== 'booting' && x.to !== 'spawning') ready.delete(x.id);
  }
  return [...ready.values()];
}

describe('faults', () => {
  it('kill -9 of a random worker every 200 ms for 10 s under load: each is replaced; only requests on killed workers fail', async () => {
    const m = await startServing(['-w', '4', '-b', '127.0.0.1:0', 'hello.cjs']);
    const from = m.records.length;
    let done = false;
    const loop = requestLoop(`${m.url()}/`, { concurrency: 4, stop: () => done, maxMs: 20_000 });
    let kills = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const candidates = readyWorkers(m).filter(isAlive);
      if (candidates.length) {
        process.kill(candidates[Math.floor(Math.random() * candidates.length)], 'SIGKILL');
        kills++;
      }
      await new Promise((ok) => setTimeout(ok, 200)); // the fault's own pace, not a wait for the system
    }
    // Every kill is answered by a replacement, and the count is back to 4 ready workers.
    await m.waitForCount((x) => x.event === 'spawned', kills, { from, what: 'one replacement per kill' });
    await eventually(() => readyWorkers(m).filter(isAlive).length === 4, 15_000, 'four ready workers again');
    done = true;
    const result = await loop;
    const crashes = m.records.slice(from).filter((x) => x.msg === 'worker exited: crash').length;
    expect(crashes).toBe(kills);
    expect(m.records.slice(from).filter((x) => x.failures !== undefined)).toEqual([]); // killed from outside: no backoff
    // A killed worker loses at most the requests it had in flight: one per client at most.
    expect(result.failures.length).toBeLessThanOrEqual(kills * 4);
    expect(result.failures.every((f) => /ECONNRESET|socket hang up/.test(f))).toBe(true);
    expect(result.ok).toBeGreaterThan(100);
    console.log(`chaos: ${kills} kills, ${result.ok} answered, ${result.failures.length} failed in flight`);
  });

  it('SIGKILL of the master under load: no worker alive 2 s later, and the port can be bound again', async () => {
    const m = await startServing(['-w', '3', '-b', '127.0.0.1:0', 'hello.cjs']);
    const port = Number(new URL(m.url()).port);
    let done = false;
    const loop = requestLoop(`${m.url()}/slow?ms=20`, { concurrency: 4, stop: () => done, maxMs: 10_000 });
    await m.waitForCount((x) => x.app === 'request', 20, { what: 'the load to be on' });
    const workers = m.workerPids();
    m.signal('SIGKILL');
    await m.exited;
    await eventually(() => workers.every((pid) => !isAlive(pid)), 2000, 'every worker to exit after the master died');
    done = true;
    await loop;
    const server = net.createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', () => ok()));
    server.close();
  });

  it('a flood of 1,000 mixed signals in a second: the master stays up, consistent with the signals it handled', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const from = m.records.length;
    // Not USR2: it starts a second master (upgrade.test.ts), which the WINCH sentinel would hand over to.
    const mix = ['SIGTTIN', 'SIGTTOU', 'SIGUSR1', 'SIGHUP', 'SIGTTIN', 'SIGTTOU'] as const;
    const start = Date.now();
    for (let i = 0; i < 1000; i++) {
      m.signal(mix[i % mix.length]);
      if (i % 50 === 49) await new Promise((ok) => setTimeout(ok, Math.max(0, start + ((i + 1) / 1000) * 1000 - Date.now())));
    }
    expect(Date.now() - start).toBeLessThan(3000);
    // A sentinel: pending signals are delivered lowest number first, and WINCH (28) is above every
    // signal of the mix, so once it is handled every signal of the flood has been.
    const sentinelFrom = m.records.length;
    m.signal('SIGWINCH');
    await m.waitFor((x) => x.msg === 'handling signal SIGWINCH', { from: sentinelFrom });
    // Signals coalesce: replay the ones the master says it handled to know the target.
    const handled = m.records
      .slice(from)
      .filter((x) => /^handling signal SIGTT(IN|OU)$/.test(x.msg ?? ''))
      .map((x) => x.signal);
    let target = 2;
    for (const s of handled) target = s === 'SIGTTIN' ? target + 1 : Math.max(1, target - 1);
    expect(m.child.exitCode).toBeNull();
    // Settled: running, every worker of the newest generation, as many as the handled signals imply.
    await eventually(
      () => {
        const last = m.records.filter(isTransition('master', 'serving.running')).at(-1);
        const lastAny = m.records.filter((x) => x.machine === 'master' && x.event === 'transition').at(-1);
        return last === lastAny && readyWorkers(m).filter(isAlive).length === target && m.workerPids().filter(isAlive).length === target;
      },
      30_000,
      `the master to settle on ${target} workers`,
    );
    expect((await get(`${m.url()}/`)).status).toBe(200);
    console.log(
      `flood: ${handled.length} TTIN/TTOU handled of ${Array.from({ length: 1000 }, (_, i) => mix[i % mix.length]).filter((s) => s.startsWith('SIGTT')).length} sent, target ${target}`,
    );
  });

  it.runIf(isRoot)('chaos: graceful kills, HUPs and a disk that fills and empties, under load: the master serves on and loses nothing', async () => {
    const disk = mkdtempSync(join(tmpdir(), 'statefork-chaos-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', disk]);
    mounts.push(disk);
    const errorLog = join(disk, 'error.log');
    const sock = join(mkdtempSync(join(tmpdir(), 'statefork-chaos-ctl-')), 'ctl.sock');
    const port = await freePort();
    const m = startCli([
      '-w',
      '3',
      '-b',
      `127.0.0.1:${port}`,
      '--error-log',
      errorLog,
      '--access-log',
      join(disk, 'access.log'),
      '--control-socket',
      sock,
      'hello.cjs',
    ]);
    const status = () => JSON.parse(execFileSync(process.execPath, [CLI, 'status', '--json', '--control-socket', sock], { encoding: 'utf8' }));
    const workers = () =>
      JSON.parse(execFileSync(process.execPath, [CLI, 'workers', '--json', '--control-socket', sock], { encoding: 'utf8' })) as Array<{
        pid: number;
        state: string;
      }>;
    await eventually(() => existsSync(sock) && status().workers.ready === 3, 20_000, 'three workers serving');
    const url = `http://127.0.0.1:${port}/`;
    let done = false;
    const loops = [
      requestLoop(url, { concurrency: 3, keepAlive: true, stop: () => done, maxMs: 50_000 }),
      requestLoop(url, { concurrency: 3, stop: () => done, maxMs: 50_000 }),
    ];
    const actions = { kill: 0, hup: 0, fill: 0, free: 0 };
    let killed = 0;
    // Three rounds of every kind, however slow the machine (not a time budget).
    for (let i = 0; i < 18; i++) {
      // Every kind in turn, the disk full for half of the run.
      const pick = (['fill', 'kill', 'hup', 'kill', 'free', 'hup'] as const)[i % 6];
      if (pick === 'kill') {
        const ready = workers().filter((w) => w.state === 'ready');
        // A reload in flight may retire the listed worker before the kill arrives: the master's
        // refusal of a pid it no longer has is that race; any other answer fails the run.
        if (ready.length > 1) {
          try {
            execFileSync(process.execPath, [CLI, 'kill', String(ready[0].pid), '--control-socket', sock], { stdio: 'pipe' });
            killed++;
          } catch (e) {
            expect(String((e as { stderr?: Buffer }).stderr)).toMatch(/no worker of this master has pid/);
          }
        }
      }
      if (pick === 'hup') process.kill(m.pid, 'SIGHUP');
      if (pick === 'fill')
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${join(disk, `filler-${i}`)}`, 'bs=4k'], { stdio: 'ignore' });
        } catch {
          /* full */
        }
      if (pick === 'free') for (const f of readdirOf(disk).filter((n) => n.startsWith('filler'))) rmSync(join(disk, f));
      actions[pick]++;
      await new Promise((ok) => setTimeout(ok, 300)); // the chaos's own pace, not a wait for the system
    }
    for (const f of readdirOf(disk).filter((n) => n.startsWith('filler'))) rmSync(join(disk, f));
    done = true;
    const results = await Promise.all(loops);
    // Every request sent was answered: graceful kills and reloads drain, a full disk costs log lines only.
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    expect(results.reduce((n, r) => n + r.ok, 0)).toBeGreaterThan(200);
    expect(isAlive(m.pid)).toBe(true);
    expect(Math.min(...Object.values(actions))).toBeGreaterThanOrEqual(3);
    expect(killed).toBeGreaterThanOrEqual(1);
    await eventually(
      () => {
        const s = status();
        return s.state === 'serving.running' && s.workers.ready === 3 && s.workers.live === 3;
      },
      30_000,
      'settled on three workers',
    );
    expect((await get(url)).status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    console.log(
      `chaos: ${JSON.stringify(actions)}, ${killed} workers killed, ${results.reduce((n, r) => n + r.ok, 0)} answered, ${readFileSync(errorLog, 'utf8').length} bytes of log kept`,
    );
  });
});
