/**
 * systemd socket activation, for real: Debian's systemd-socket-activate listens, execs statefork
 * on the first connection with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES set, and statefork serves on
 * the sockets it was given instead of binding its own.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as { port: number };
  await new Promise((ok) => s.close(ok));
  return port;
}

describe('systemd socket activation', () => {
  it('serves on the sockets systemd passed (names logged), not on --bind; the first connection waits, it is not lost', async () => {
    const [a, b, unused] = [await freePort(), await freePort(), await freePort()];
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
