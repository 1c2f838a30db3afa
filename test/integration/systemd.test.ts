/**
 * systemd, for real: socket activation with Debian's systemd-socket-activate (it listens, execs
 * statefork on the first connection with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES set, and statefork
 * serves on those sockets instead of binding its own); and readiness notification to a real
 * unix datagram socket, as systemd's NOTIFY_SOCKET is.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, startCli, startServing } from '../helpers/cli.js';
import { get, freePorts } from '../helpers/http.js';

describe('systemd socket activation', () => {
  it('serves on the sockets systemd passed (names logged), not on --bind; the first connection waits, it is not lost', async () => {
    const [a, b, unused] = await freePorts(3);
    const m = startCli(['-w', '2', '-b', `127.0.0.1:${unused}`, 'hello.cjs'], {
      wrap: ['systemd-socket-activate', '-l', `127.0.0.1:${a}`, '-l', `127.0.0.1:${b}`, '--fdname=web:admin'],
    });
    // systemd-socket-activate says when it listens, and starts statefork only when this first
    // request connects.
    await eventually(() => (m.stderrText().match(/Listening on/g) ?? []).length === 2, 10_000, 'systemd-socket-activate to listen');
    const first = await get(`http://127.0.0.1:${a}/`);
    expect(first.status).toBe(200);
    expect((await get(`http://127.0.0.1:${b}/`)).status).toBe(200);
    const activated = await m.waitFor((r) => /^systemd socket activation/.test(r.msg ?? ''));
    expect(activated.sockets).toEqual(['web', 'admin']);
    await expect(get(`http://127.0.0.1:${unused}/`, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
    // The variables are systemd's word to the master alone: no worker sees them.
    for (const pid of m.workerPids()) expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toMatch(/LISTEN_(FDS|PID|FDNAMES)=/);
    expect(m.workerPids()).toHaveLength(2);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('ignores LISTEN_FDS meant for another process and binds as usual', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { LISTEN_PID: '1', LISTEN_FDS: '1' } });
    expect((await get(`${m.url()}/`)).status).toBe(200);
    expect(m.records.some((r) => /^systemd socket activation/.test(r.msg ?? ''))).toBe(false);
  });

  it('refuses a malformed LISTEN_FDS for this process with one line and exit 2', async () => {
    const m = startCli(['-w', '1', 'hello.cjs'], { wrap: ['sh', '-c', 'LISTEN_PID=$$ LISTEN_FDS=two exec "$@"', 'sh'] });
    expect((await m.exited).code).toBe(2);
    expect(m.stderrText()).toMatch(/invalid LISTEN_FDS 'two' for this process: expected the number of sockets systemd passed/);
  });
});

/** A real unix datagram socket, as systemd's NOTIFY_SOCKET is (Node has none: python3 listens). */
function notifySocket(): { path: string; messages: string[]; close(): void } {
  const path = join(mkdtempSync(join(tmpdir(), 'statefork-notify-')), 'notify.sock');
  const listener = spawn(
    'python3',
    [
      '-u',
      '-c',
      [
        'import socket, sys',
        's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
        `s.bind(${JSON.stringify(path)})`,
        'print("listening")',
        'while True: print(s.recv(65536).decode().replace("\\n", "|"))',
      ].join('\n'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const messages: string[] = [];
  let buffer = '';
  listener.stdout.on('data', (d) => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    messages.push(...lines);
  });
  return { path, messages, close: () => listener.kill() };
}

describe('systemd notify', () => {
  it('READY=1 once serving, RELOADING=1 and READY=1 around a HUP, STATUS with the worker count, STOPPING=1', async () => {
    const n = notifySocket();
    try {
      await eventually(() => n.messages.includes('listening'), 10_000, 'the notify socket to listen');
      const has = (re: RegExp) => () => n.messages.some((m) => re.test(m));
      const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { NOTIFY_SOCKET: n.path } });
      await eventually(has(new RegExp(`^MAINPID=${m.pid}\\|READY=1\\|STATUS=serving.running, 2 workers$`)), 10_000, 'READY=1');
      for (const pid of m.workerPids()) expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toMatch(/NOTIFY_SOCKET=/);
      m.signal('SIGHUP');
      await eventually(has(/\|RELOADING=1\|MONOTONIC_USEC=\d+\|STATUS=serving\.reloading/), 10_000, 'RELOADING=1');
      await eventually(() => n.messages.filter((x) => /\|READY=1\|/.test(x)).length === 2, 10_000, 'READY=1 after the reload');
      m.signal('SIGTTIN');
      await eventually(has(/\|STATUS=serving\.running, 3 workers$/), 10_000, 'STATUS with 3 workers');
      m.signal('SIGTERM');
      await eventually(has(/\|STOPPING=1\|STATUS=stopping\.graceful/), 10_000, 'STOPPING=1');
      expect((await m.exited).code).toBe(0);
      // In order: systemd must never hear RELOADING=1 after the READY=1 that ends the reload.
      const states = n.messages.map((x) => /\|(READY|RELOADING|STOPPING)=1/.exec(x)?.[1]).filter(Boolean);
      expect(states).toEqual(['READY', 'RELOADING', 'READY', 'STOPPING']);
    } finally {
      n.close();
    }
  });

  it('follows a hot upgrade: the new master claims MAINPID, gives it back on a rollback, and the old one never says STOPPING', async () => {
    const n = notifySocket();
    const killed: number[] = [];
    try {
      await eventually(() => n.messages.includes('listening'), 10_000, 'the notify socket to listen');
      const has = (re: RegExp) => () => n.messages.some((m) => re.test(m));
      const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { NOTIFY_SOCKET: n.path } });
      const upgrade = async () => {
        const start = m.records.length;
        m.signal('SIGUSR2');
        const pid = (await m.waitFor((x) => /^new master started/.test(x.msg ?? ''), { from: start })).newMasterPid as number;
        killed.push(pid);
        await m.waitFor((x) => /^new master ready/.test(x.msg ?? ''), { from: start });
        await eventually(has(new RegExp(`^MAINPID=${pid}\\|READY=1\\|STATUS=serving.running, 1 worker$`)), 10_000, 'READY=1 from the new master');
        return pid;
      };
      // Rolled back: the new master hands MAINPID back, and the old one says it is ready again.
      const first = await upgrade();
      process.kill(first, 'SIGTERM');
      await eventually(has(new RegExp(`^MAINPID=${m.pid}$`)), 10_000, 'MAINPID given back');
      await eventually(() => n.messages.filter((x) => x.startsWith(`MAINPID=${m.pid}|READY=1|`)).length === 2, 10_000, 'READY=1 from the old master again');
      expect(n.messages.some((x) => x.startsWith(`MAINPID=${first}|STOPPING`))).toBe(false);
      // Finished: WINCH and QUIT the old master, which says nothing more; the new one stops last.
      const second = await upgrade();
      m.signal('SIGWINCH');
      await m.waitFor((x) => x.to === 'serving.handedOver' && x.pid === m.pid);
      m.signal('SIGQUIT');
      expect((await m.exited).code).toBe(0);
      await m.waitFor((x) => x.pid === second && /^promoted/.test(x.msg ?? ''));
      process.kill(second, 'SIGTERM');
      await eventually(has(new RegExp(`^MAINPID=${second}\\|STOPPING=1`)), 10_000, 'STOPPING=1 from the new master');
      expect(n.messages.some((x) => x.startsWith(`MAINPID=${m.pid}|STOPPING`))).toBe(false);
    } finally {
      for (const pid of killed)
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      n.close();
    }
  });
});
