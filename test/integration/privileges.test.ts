/**
 * -u/--user and -g/--group, for real (the test runs as root, as CI does): the workers run as
 * nobody, the master stays root, and everything a worker touches itself works: its heartbeat
 * file, its log records (written by the master), the unix socket it serves on, through a reload.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, startCli } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const gidOf = (pid: number) => Number(/^Gid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const isRoot = process.getuid?.() === 0;

describe('-u/--user, -g/--group', () => {
  // Dropping privileges needs root; CI runs as root. Elsewhere: the refusal test below runs.
  it.runIf(isRoot)('workers run as nobody; heartbeat, log file and unix socket keep working through a HUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-user-'));
    chmodSync(dir, 0o755);
    const [sock, log] = [join(dir, 'app.sock'), join(dir, 'error.log')];
    const m = startCli(['-u', 'nobody', '-w', '2', '--timeout', '1', '-b', `unix:${sock}`, '--error-log', log, '--log-level', 'debug', 'hello.cjs']);
    const lines = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l))
        : [];
    await eventually(() => lines().some((r) => r.msg === 'ready: every worker of the first generation is serving'), 20_000, 'the first generation');
    const workers = () => [
      ...new Set(
        lines()
          .filter((r) => r.msg === 'worker ready')
          .map((r) => r.workerPid as number),
      ),
    ];
    for (const pid of workers()) expect([uidOf(pid), gidOf(pid)]).toEqual([65534, 65534]);
    expect(uidOf(m.pid)).toBe(0);
    expect(statSync(sock).uid).toBe(65534);
    // The error log is the master's own: never handed to the workers' user, who log through it.
    expect(statSync(log).uid).toBe(0);
    expect((await get('http://x/', { socketPath: sock })).status).toBe(200);
    // Workers write their own records to the log file.
    expect(lines().some((r) => r.role === 'worker')).toBe(true);
    // Heartbeats arrive: with --timeout 1, several ticks pass and no worker times out.
    const ticks = () => lines().filter((r) => r.event === 'step' && r.machine === 'master' && r.cause === 'TICK').length;
    const seen = ticks();
    await eventually(() => ticks() >= seen + 8, 20_000, 'eight more heartbeat ticks');
    expect(lines().filter((r) => r.msg === 'worker timeout')).toEqual([]);
    m.signal('SIGHUP');
    await eventually(() => lines().some((r) => /^reload complete/.test(r.msg ?? '')), 20_000, 'the reload');
    const after = workers().slice(-2);
    for (const pid of after) expect(uidOf(pid)).toBe(65534);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it.each([
    [['-u', 'no-such-user-here'], /invalid --user 'no-such-user-here': no such user in \/etc\/passwd/],
    [['-g', 'no-such-group-here'], /invalid --group 'no-such-group-here': no such group in \/etc\/group/],
  ])('refuses %s with one line and exit 2', async (flags, message) => {
    const r = startCli([...flags, '-b', '127.0.0.1:0', 'hello.cjs']);
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText().trim()).toMatch(message);
  });

  it('refuses --user without root, saying so', async () => {
    // As root, drop to nobody first (setpriv, from util-linux); otherwise the test already is not root.
    const wrap = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const r = startCli(['-u', '0', '-b', '127.0.0.1:0', 'hello.cjs'], { wrap, cwd: tmpdir() });
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText().trim()).toMatch(/--user 0 needs the master to run as root \(it runs as uid \d+\): start it as root, or drop --user/);
  });
});
