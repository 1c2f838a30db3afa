import { describe, expect, it } from 'vitest';
import { eventually, isAlive, isTransition, startServing } from '../helpers/cli.js';
import http from 'node:http';
import { connectedGet, get } from '../helpers/http.js';

describe('stopping', () => {
  it('TERM lets a slow in-flight request complete with 200, then exits 0', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const slow = get(`${m.url()}/slow?ms=1500`);
    await m.waitFor((x) => x.app === 'request', { what: 'the app to receive the slow request' });
    m.signal('SIGTERM');
    const r = await slow;
    expect(r.status).toBe(200);
    expect((await m.exited).code).toBe(0);
  });

  it('TERM serves the requests queued behind a busy worker too, instead of resetting them', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    // The worker's event loop is blocked, so the next three wait in the listen backlog.
    const busy = get(`${m.url()}/busy?ms=1500`);
    await m.waitFor((x) => x.app === 'request', { what: 'the app to start the busy request' });
    const queued = await Promise.all([1, 2, 3].map(() => connectedGet(`${m.url()}/`)));
    m.signal('SIGTERM');
    const replies = await Promise.all([busy, ...queued.map((q) => q.reply)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await m.exited).code).toBe(0);
  });

  it('TERM closes keep-alive connections cleanly: every request sent on one is answered', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--keep-alive', '5', 'hello.cjs']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const failures: string[] = [];
    let ok = 0;
    let closedGracefully = 0;
    // Each client sends on its connection until the server says Connection: close.
    const client = async () => {
      for (;;) {
        try {
          const r = await get(`${m.url()}/`, { agent });
          expect(r.status).toBe(200);
          ok++;
          if (r.headers.connection === 'close') return void closedGracefully++;
        } catch (e) {
          return void failures.push((e as Error).message);
        }
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);
    await eventually(() => ok >= 20, 10_000, 'the keep-alive clients to get going');
    m.signal('SIGTERM');
    await clients;
    agent.destroy();
    expect(failures).toEqual([]);
    expect(closedGracefully).toBe(4);
    expect(ok).toBeGreaterThan(10);
    expect((await m.exited).code).toBe(0);
  });

  it('INT is a quick stop: workers get QUIT and the master exits 0', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const workers = m.workerPids();
    m.signal('SIGINT');
    expect((await m.exited).code).toBe(0);
    expect(m.records.some(isTransition('master', 'stopping.quick'))).toBe(true);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
  });

  it('QUIT during a graceful stop escalates to a quick stop', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const slow = get(`${m.url()}/slow?ms=10000`).catch((e) => e);
    await m.waitFor((x) => x.app === 'request');
    m.signal('SIGTERM');
    await m.waitFor(isTransition('master', 'stopping.graceful'));
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    expect(m.records.some(isTransition('master', 'stopping.quick'))).toBe(true);
    await slow;
  });

  it('a worker that cannot take its TERM (its event loop blocked) is killed after --graceful-timeout', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--graceful-timeout', '1', 'hello.cjs']);
    const busy = get(`${m.url()}/busy?ms=30000`).catch((e) => e);
    await m.waitFor((x) => x.app === 'request');
    m.signal('SIGTERM');
    await m.waitFor((x) => /deadline: SIGKILL/.test(x.msg ?? ''), { what: 'the SIGKILL after the graceful timeout' });
    expect((await m.exited).code).toBe(0);
    await busy;
  });

  it('a request still running at --graceful-timeout is ended by the worker itself, which exits 0: no SIGKILL', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--graceful-timeout', '1', 'hello.cjs']);
    const slow = get(`${m.url()}/slow?ms=30000`).catch((e: NodeJS.ErrnoException) => e);
    await m.waitFor((x) => x.app === 'request');
    const from = m.records.length;
    m.signal('SIGTERM');
    await m.waitFor(isTransition('worker', 'ending'), { from, what: 'the worker to reach its bound' });
    expect((await m.exited).code).toBe(0);
    expect(m.records.slice(from).filter((x) => /SIGKILL/.test(x.msg ?? ''))).toEqual([]);
    expect(m.records.slice(from).find((x) => x.msg === 'worker exiting')).toMatchObject({ exitCode: 0 });
    // Its client saw the connection end (no answer), not hang until its own timeout.
    expect(await slow).toBeInstanceOf(Error);
  });

  it('SIGKILL of the master leaves no worker alive 2 s later', async () => {
    const m = await startServing(['-w', '3', '-b', '127.0.0.1:0', 'hello.cjs']);
    const workers = m.workerPids();
    expect(workers).toHaveLength(3);
    m.signal('SIGKILL');
    await m.exited;
    await eventually(() => workers.every((pid) => !isAlive(pid)), 2000, 'every worker to exit after its master died');
  });
});
