/**
 * -D/--daemon, for real: the command returns once the detached master serves (or fails with the
 * reason), and the daemon runs in a session of its own with no terminal, logging to its file.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isAlive, startCli } from '../helpers/cli.js';
import { get, freePort } from '../helpers/http.js';

const daemons: number[] = [];
afterEach(() => {
  for (const pid of daemons.splice(0))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
});

/** Fields of /proc/PID/stat after the command name (which may hold spaces). */
function stat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** The pid a file names once it names one other than `not`. */
async function pidIn(file: string, not = 0): Promise<number> {
  const read = () => {
    try {
      return Number(readFileSync(file, 'utf8'));
    } catch {
      return 0;
    }
  };
  await eventually(() => read() > 0 && read() !== not, 20_000, `${file} to name a new process`);
  return read();
}

describe('-D/--daemon', () => {
  it('returns 0 once the workers serve; the daemon has its own session, no terminal, and stops on TERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-daemon-'));
    const [pidfile, log, port] = [join(dir, 'app.pid'), join(dir, 'error.log'), await freePort()];
    const cmd = startCli(['-D', '-p', pidfile, '--error-log', log, '-w', '2', '-b', `127.0.0.1:${port}`, 'hello.cjs']);
    expect((await cmd.exited).code).toBe(0);
    const pid = Number(readFileSync(pidfile, 'utf8'));
    daemons.push(pid);
    expect(cmd.stdout).toBe(`statefork: daemon started, pid ${pid}\n`);
    // Serving already when the command returned: no wait here.
    expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(200);
    const [, ppid, , session, tty] = stat(pid);
    expect(Number(session)).toBe(pid);
    expect(Number(tty)).toBe(0);
    expect(Number(ppid)).not.toBe(cmd.pid);
    expect(readFileSync(log, 'utf8')).toMatch(/ready: every worker of the first generation is serving/);
    process.kill(pid, 'SIGTERM');
    await eventually(() => !isAlive(pid) && !existsSync(pidfile), 10_000, 'the daemon to stop and remove its pidfile');
  });

  it("exits with the failure's code and its reason in one line when the app cannot load", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-daemon-'));
    const cmd = startCli(['-D', '--error-log', join(dir, 'error.log'), '-w', '1', '-b', `127.0.0.1:${await freePort()}`, 'throws.cjs']);
    expect((await cmd.exited).code).toBe(4);
    const lines = cmd.stderrText().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^statefork: error: the daemon did not start: App failed to load: .*throws\.cjs threw while loading/);
  });

  it('exits with the reason when the daemon cannot start at all (the port is taken)', async () => {
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    const { port } = busy.address() as { port: number };
    try {
      const dir = mkdtempSync(join(tmpdir(), 'statefork-daemon-'));
      const cmd = startCli(['-D', '--error-log', join(dir, 'error.log'), '-b', `127.0.0.1:${port}`, 'hello.cjs']);
      expect((await cmd.exited).code).toBe(1);
      expect(cmd.stderrText()).toMatch(/^statefork: error: the daemon did not start: .*in use/m);
    } finally {
      busy.close();
    }
  }, 20_000);

  it('warns, in one line, that --error-log - has nowhere to go', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statefork-daemon-'));
    const pidfile = join(dir, 'app.pid');
    const cmd = startCli(['-D', '-p', pidfile, '-w', '1', '-b', `127.0.0.1:${port}`, 'hello.cjs']);
    expect((await cmd.exited).code).toBe(0);
    daemons.push(Number(readFileSync(pidfile, 'utf8')));
    expect(cmd.stderrText()).toMatch(
      /^statefork: warning: --daemon with --error-log - \(stderr\): the daemon has no stderr, its log goes nowhere; give --error-log FILE\n$/,
    );
  });

  it('upgrades in place with USR2, WINCH and QUIT: the new master stays detached and takes over the pidfile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-daemon-'));
    const [pidfile, log, port] = [join(dir, 'app.pid'), join(dir, 'error.log'), await freePort()];
    const cmd = startCli(['-D', '-p', pidfile, '--error-log', log, '-w', '1', '-b', `127.0.0.1:${port}`, 'hello.cjs']);
    expect((await cmd.exited).code).toBe(0);
    const old = Number(readFileSync(pidfile, 'utf8'));
    daemons.push(old);
    process.kill(old, 'SIGUSR2');
    const next = await pidIn(`${pidfile}.2`);
    daemons.push(next);
    await eventually(() => /new master ready/.test(readFileSync(log, 'utf8')), 20_000, 'the new master to be ready');
    // Not daemonized again: the old daemon's child, in its session, until the old one goes.
    const [, ppid, , session] = stat(next);
    expect([Number(ppid), Number(session)]).toEqual([old, old]);
    process.kill(old, 'SIGWINCH');
    await eventually(() => /WINCH: workers retire gracefully/.test(readFileSync(log, 'utf8')), 10_000, 'WINCH to be handled');
    process.kill(old, 'SIGQUIT');
    expect(await pidIn(pidfile, old)).toBe(next);
    await eventually(() => !isAlive(old) && !existsSync(`${pidfile}.2`), 10_000, 'the old master to be gone');
    expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(200);
    process.kill(next, 'SIGTERM');
    await eventually(() => !isAlive(next) && !existsSync(pidfile), 10_000, 'the new master to stop and remove its pidfile');
  });
});
