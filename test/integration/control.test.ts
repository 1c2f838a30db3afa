/**
 * The control socket, for real: a running master answers `statefork status`, `workers`,
 * `scale`, `reload`, `reopen`, `stop` and `kill` over its unix socket, each command going
 * through the same machine events as a signal; bad input never disturbs it.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, isTransition, startCli, startServing, type Running } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

/** Runs a control command; resolves with its exit code and output. */
async function ctl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli(args);
  const { code } = await r.exited;
  return { code, stdout: r.stdout, stderr: r.stderrText() };
}

const socketOf = (m: Running) => `/run/statefork/${m.pid}.sock`;

/** Sends raw bytes to a socket; resolves with every line it answered once it closes (or after `ms`). */
function raw(path: string, data: string, ms = 2_000): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    let text = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      c.destroy();
      resolve({ lines: text.split('\n').filter(Boolean), closed });
    };
    const timer = setTimeout(() => done(false), ms);
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      text += d;
    });
    c.once('close', () => done(true));
    c.once('connect', () => {
      if (data) c.write(data);
    });
  });
}

describe('control socket', () => {
  it('status and workers: a table for people, JSON for scripts; the socket is 0600 at the default path', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    expect(statSync(socketOf(m)).mode & 0o777).toBe(0o600);
    const flags = ['--control-socket', socketOf(m)];
    const status = await ctl(['status', ...flags]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(
        `^pid +${m.pid}\\nstate +serving\\.running\\nuptime +[\\d.]+s\\ngeneration +1\\nworkers +2 ready of 2 \\(0 booting, 0 retiring\\)\\nupgrade +none\\n$`,
      ),
    );
    for (let i = 0; i < 3; i++) await get(`${m.url()}/`);
    const json = JSON.parse((await ctl(['status', '--json', ...flags])).stdout);
    expect(json).toMatchObject({
      pid: m.pid,
      state: 'serving.running',
      generation: 1,
      target: 2,
      workers: { live: 2, ready: 2, booting: 0, retiring: 0 },
      upgrade: null,
      upgradeFrom: null,
    });
    const table = (await ctl(['workers', ...flags])).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^ID +SLOT +PID +STATE +GEN +AGE +REQUESTS +CONNS +WS +STREAMS +ELU +LAG p99 +RSS +HEAP +HEARTBEAT$/);
    expect(table.slice(1).map((l) => l.split(/ +/).slice(1, 5))).toEqual(m.workerPids().map((pid, i) => [String(i + 1), String(pid), 'ready', '1']));
    // Requests reach the table once the workers report them (on their heartbeat).
    let workers: Array<Record<string, unknown>> = [];
    const poll = async () => {
      workers = JSON.parse((await ctl(['workers', '--json', ...flags])).stdout);
      return workers.reduce((n, w) => n + (w.requests as number), 0) >= 3;
    };
    for (let i = 0; i < 20 && !(await poll()); i++);
    expect(workers.reduce((n, w) => n + (w.requests as number), 0)).toBe(3);
    expect(workers.map((w) => w.slot).sort()).toEqual([1, 2]);
    for (const w of workers)
      expect(w).toMatchObject({
        state: 'ready',
        generation: 1,
        rssBytes: expect.any(Number),
        heartbeatAgeSeconds: expect.any(Number),
        ageSeconds: expect.any(Number),
        connections: { open: expect.any(Number), upgraded: 0, streaming: 0 },
      });
  });

  it('scale N, +N, -N go through TTIN and TTOU; never below one', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const flags = ['--control-socket', socketOf(m)];
    expect((await ctl(['scale', '+2', ...flags])).stdout).toBe('target 4 workers (serving.running)\n');
    await m.waitForCount((x) => x.msg === 'worker ready', 4);
    expect(m.records.filter((x) => x.msg === 'TTIN: one more worker')).toHaveLength(2);
    expect((await ctl(['scale', '1', ...flags])).stdout).toBe('target 1 worker (serving.running)\n');
    await m.waitForCount((x) => x.msg === 'TTOU: one worker fewer', 3);
    const zero = await ctl(['scale', '-1', ...flags]);
    expect([zero.code, zero.stderr]).toEqual([2, 'statefork: error: the master refused: cannot scale to 0 workers: the least is 1\n']);
    expect(JSON.parse((await ctl(['status', '--json', ...flags])).stdout).target).toBe(1);
  });

  it('reload, reopen and kill: HUP, USR1 and a TERM to one worker, found by --pid', async () => {
    const pidfile = join(mkdtempSync(join(tmpdir(), 'statefork-ctl-')), 'app.pid');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '-p', pidfile, 'hello.cjs']);
    const flags = ['--pid', pidfile];
    let from = m.records.length;
    expect((await ctl(['reload', ...flags])).stdout).toBe('reload requested (serving.reloading.configuring)\n');
    await m.waitFor((x) => /^reload complete/.test(x.msg ?? ''), { from });
    expect(m.records.slice(from).some((x) => x.msg === 'control socket: HUP')).toBe(true);
    from = m.records.length;
    expect((await ctl(['reopen', ...flags])).code).toBe(0);
    await m.waitFor((x) => x.msg === 'log files reopened', { from });
    const [victim] = m.workerPids();
    from = m.records.length;
    expect((await ctl(['kill', String(victim), ...flags])).stdout).toMatch(/^sent SIGTERM to worker \d+ \(pid \d+\); the master replaces it\n$/);
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(isAlive(victim)).toBe(false);
    const stranger = await ctl(['kill', String(process.pid), ...flags]);
    expect([stranger.code, stranger.stderr]).toEqual([
      2,
      `statefork: error: the master refused: no worker of this master has pid ${process.pid}: see statefork workers\n`,
    ]);
  });

  for (const quick of [false, true]) {
    it(`stop${quick ? ' --quick' : ''}: as ${quick ? 'QUIT' : 'TERM'}, and the socket is gone after`, async () => {
      const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
      const out = await ctl(['stop', ...(quick ? ['--quick'] : []), '--control-socket', socketOf(m)]);
      expect(out.stdout).toBe(`stop requested (stopping.${quick ? 'quick' : 'graceful'})\n`);
      expect((await m.exited).code).toBe(0);
      expect(m.records.some(isTransition('master', quick ? 'stopping.quick' : 'stopping.graceful'))).toBe(true);
      const after = await ctl(['status', '--control-socket', socketOf(m)]);
      expect([after.code, after.stderr]).toEqual([
        1,
        `statefork: error: no master answers at ${socketOf(m)}: no such socket; is it running? give --control-socket PATH or --pid FILE\n`,
      ]);
    });
  }

  it('bad input gets an error line or a closed connection, and the master serves on', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const path = socketOf(m);
    const codes = async (line: string) => (await raw(path, line, 500)).lines.map((l) => JSON.parse(l).error?.code);
    expect(await codes('{not json\n')).toEqual(['bad-json']);
    expect(await codes('{"v":1,"command":"format-disk"}\n')).toEqual(['unknown-command']);
    expect(await codes('{"v":9,"command":"status"}\n')).toEqual(['bad-request']);
    expect(await codes('{"v":1,"command":"scale","args":{"workers":"lots"}}\n')).toEqual(['bad-args']);
    // Several requests on one connection, answered in order, the bad one in its place.
    const mixed = await raw(path, '{"v":1,"id":1,"command":"status"}\nnope\n{"v":1,"id":3,"command":"workers"}\n', 500);
    expect(mixed.lines.map((l) => [JSON.parse(l).id, JSON.parse(l).ok])).toEqual([
      [1, true],
      [null, false],
      [3, true],
    ]);
    const huge = await raw(path, 'x'.repeat(70 * 1024));
    expect([huge.closed, JSON.parse(huge.lines[0]).error.code]).toEqual([true, 'too-long']);
    const silent = await raw(path, '', 8_000);
    expect([silent.closed, JSON.parse(silent.lines[0]).error.code]).toEqual([true, 'idle']);
    expect((await ctl(['status', '--control-socket', path])).code).toBe(0);
    expect((await get(`${m.url()}/`)).status).toBe(200);
    expect(m.child.exitCode).toBeNull();
  });

  it("--control-socket PATH: a live master's is refused, a dead one's replaced; --no-control-socket serves none", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-ctl-'));
    const path = join(dir, 'app.ctl');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', path, 'hello.cjs']);
    expect(JSON.parse((await ctl(['status', '--json', '--control-socket', path])).stdout).pid).toBe(m.pid);
    const second = startCli(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', path, 'hello.cjs']);
    expect((await second.exited).code).toBe(1);
    expect(second.stderrText().trim().split('\n').at(-1)).toMatch(
      /^statefork: error: cannot serve the control socket .*app\.ctl: another master answers on it; stop it, choose another --control-socket, or --no-control-socket$/,
    );
    expect(second.records.filter((x) => x.event === 'spawned')).toEqual([]);
    const none = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--no-control-socket', 'hello.cjs']);
    // Nothing answers at its default path (a file there can only be a dead master's, one whose pid was reused).
    expect(none.records.some((x) => 'controlSocket' in x)).toBe(false);
    expect((await ctl(['status', '--control-socket', socketOf(none)])).code).toBe(1);
    writeFileSync(join(dir, 'plain'), '');
    const notSocket = startCli(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', join(dir, 'plain'), 'hello.cjs']);
    expect((await notSocket.exited).code).toBe(1);
    expect(notSocket.stderrText()).toMatch(/the path exists and is not a socket; remove it or choose another --control-socket\n$/);
    m.signal('SIGKILL');
    await m.exited;
    expect(statSync(path).isSocket()).toBe(true);
    const next = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', path, 'hello.cjs']);
    expect(JSON.parse((await ctl(['status', '--json', '--control-socket', path])).stdout).pid).toBe(next.pid);
    next.signal('SIGTERM');
    expect((await next.exited).code).toBe(0);
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });
});
