/** -e/--env and -m/--umask, for real: what a worker's app sees, and the modes of created files. */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, startCli, startServing, refusal } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('-e/--env', () => {
  it('sets variables in the workers (values may hold =), repeatable', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-e', 'GREETING=hello=world', '--env', 'EMPTY=', 'env.cjs']);
    expect(JSON.parse((await get(`${m.url()}/?name=GREETING`)).body).GREETING).toBe('hello=world');
    expect(JSON.parse((await get(`${m.url()}/?name=EMPTY`)).body).EMPTY).toBe('');
  });

  it.each([
    [['-e', 'NOEQUALS'], /option '-e, --env <KEY=VALUE>'|invalid --env 'NOEQUALS': expected KEY=VALUE/],
    [['-e', '1BAD=x'], /invalid --env '1BAD=...': the name must be letters, digits and _/],
  ])('refuses %s with one line and exit 2', async (flags, message) => {
    const { code, lines } = await refusal([...flags, '-b', '127.0.0.1:0', 'env.cjs']);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('-m/--umask', () => {
  it('applies to the unix socket, the pidfile and the error log the master creates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-umask-'));
    const [sock, pid, log] = [join(dir, 'app.sock'), join(dir, 'app.pid'), join(dir, 'error.log')];
    const m = startCli(['-w', '1', '-b', `unix:${sock}`, '-p', pid, '--error-log', log, '--umask', '077', 'env.cjs']);
    // The log goes to the file: serving once the master wrote there that it is ready.
    await eventually(() => existsSync(log) && readFileSync(log, 'utf8').includes('ready: every worker'), 20_000, 'the master to be ready');
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(sock) & 0o077).toBe(0);
    expect(mode(pid) & 0o077).toBe(0);
    expect(mode(log) & 0o077).toBe(0);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('refuses a mask that is not octal with one line and exit 2', async () => {
    const r = startCli(['--umask', '089', '-b', '127.0.0.1:0', 'env.cjs']);
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText().trim()).toMatch(/invalid --umask '089': expected an octal mask from 000 to 777/);
  });
});
