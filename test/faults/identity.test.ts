/**
 * Identity is exactly what was asked, workers get only the fds they are given, and upgrade
 * variables are honoured only in an upgrade (hardening, items 7 and 8), for real: the master as
 * root, workers as other users, a secret file open on fds the launching process leaked, and
 * STATEFORK_* variables set by hand or by a parent that lies about its sockets.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, CLI, refusal, startServing } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const ids = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    uid: Number(/^Uid:\s+(\d+)/m.exec(status)![1]),
    gid: Number(/^Gid:\s+(\d+)/m.exec(status)![1]),
    groups: /^Groups:[ \t]*(.*)$/m.exec(status)![1].trim(),
  };
};
const fdTargets = (pid: number) =>
  readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });

describe.runIf(isRoot)('identity is exactly what was asked', () => {
  it("a numeric --user without --group runs with that user's primary group, not root's", async () => {
    const m = await startServing(['-u', '65534', '-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    for (const pid of m.workerPids()) expect(ids(pid)).toEqual({ uid: 65534, gid: 65534, groups: '' });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a uid with no passwd entry needs --group (one line, exit 2); with it, exactly that identity', async () => {
    const { code, lines } = await refusal(['-u', '54321', '-b', '127.0.0.1:0', 'hello.cjs']);
    expect([code, lines]).toEqual([
      2,
      [
        "statefork: error: invalid --user '54321': uid 54321 has no entry in /etc/passwd, so its primary group is unknown; give --group too (e.g. --group 54321)",
      ],
    ]);
    const m = await startServing(['-u', '54321', '-g', '54321', '-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    for (const pid of m.workerPids()) expect(ids(pid)).toEqual({ uid: 54321, gid: 54321, groups: '' });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

describe('workers inherit only the fds they are given', () => {
  it('a secret open on fds 9 and 40 of the launching process reaches no worker (and the master closes what it was not given)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-fds-'));
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'do not leak\n', { mode: 0o600 });
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe', ...new Array(38).fill('ignore')];
    stdio[9] = openSync(secret, 'r');
    stdio[40] = openSync(secret, 'r');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs'], { stdio });
    const closed = m.records.find((x) => /^closed \d+ inherited file descriptor/.test(x.msg ?? ''));
    expect(closed?.fds).toContainEqual({ fd: 40, target: secret });
    for (const pid of m.workerPids()) {
      expect(fdTargets(pid)).not.toContain(secret);
    }
    expect(fdTargets(m.pid).filter((t) => t === secret).length).toBeLessThanOrEqual(1); // fd 9: close-on-exec already
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

describe('upgrade variables are honoured only in an upgrade', () => {
  it('STATEFORK_FD and STATEFORK_FD_BINDS by hand: refused in one line, the file they name untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-vars-'));
    const victim = join(dir, 'important.conf');
    writeFileSync(victim, 'keep me\n');
    for (const env of [
      { STATEFORK_FD: '3', STATEFORK_FD_BINDS: JSON.stringify([`unix:${victim}`]) },
      { STATEFORK_FD: '3', STATEFORK_FD_BINDS: JSON.stringify([`unix:${victim}`]), STATEFORK_UPGRADE_FROM: '1' },
      { STATEFORK_FD_BINDS: JSON.stringify([`unix:${victim}`]) },
    ]) {
      const { code, lines } = await refusal(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { env });
      expect(code).toBe(2);
      expect(lines).toEqual([
        expect.stringMatching(/^statefork: error: STATEFORK_FD(_BINDS)? is set, but this is not a hot upgrade .*unset it to start normally$/),
      ]);
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    }
  });

  it('a parent that claims its socket is bound at a file it is not: the new master refuses it, and the file stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-liar-'));
    const victim = join(dir, 'important.conf');
    writeFileSync(victim, 'keep me\n');
    // The parent looks like an old master (it is the child's parent, with an IPC channel), and
    // passes a real unix socket bound elsewhere, named as the victim's path.
    const server = net.createServer();
    await new Promise<void>((ok) => server.listen(join(dir, 'real.sock'), ok));
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawn(process.execPath, [CLI, '-w', '1', '-b', '127.0.0.1:0', join(APPS, 'hello.cjs')], {
      stdio: ['ignore', 'pipe', 'pipe', fd, 'ipc'],
      env: { ...process.env, STATEFORK_FD: '3', STATEFORK_FD_BINDS: JSON.stringify([`unix:${victim}`]), STATEFORK_UPGRADE_FROM: String(process.pid) },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((ok) => child.once('exit', ok));
    server.close();
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').at(-1)).toBe(
      `statefork: error: cannot serve on fd 3 as unix:${victim}: that fd is not a socket bound at ${victim} (STATEFORK_FD_BINDS names it; only a statefork master sets it, for its new master)`,
    );
    expect(existsSync(victim) && readFileSync(victim, 'utf8')).toBe('keep me\n');
  });
});
