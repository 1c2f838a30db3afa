/**
 * Bounded everything (hardening, item 9), for real: a large scale step spread over the master's
 * loop, the inspector's and the metrics' servers against DNS rebinding, too many clients and a
 * client that never reads, --keep-alive 0, and the fetch form's URL under a hostile Host header.
 */
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { APPS, childrenOf, eventually, isAlive, startServing } from '../helpers/cli.js';
import { freePort, freePorts, get } from '../helpers/http.js';
// The built modules: a worker process runs dist/src/worker/main.js.
import { WorkerProcesses } from '../../dist/src/master/workers/worker-processes.js';
import { normalize } from '../../dist/src/config/options.js';
import { createLogger } from '../../dist/src/log.js';
import { MAX_CLIENTS } from '../../dist/src/local-http.js';
import { MAX_UNREAD, serveInspector } from '../../dist/src/inspector/server.js';
import type { Step } from '../../dist/src/inspector/hub.js';

/** One raw HTTP/1.1 exchange, with headers exactly as given. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let out = '';
    c.on('data', (d) => {
      out += d;
    });
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

describe('a large scale step does not block the master', () => {
  it('spawns are carried out one per turn of the event loop; one told to go first is never started', async () => {
    const config = normalize({ app: join(APPS, 'hello.cjs'), bind: '127.0.0.1:0', workers: 1 });
    const { logger } = createLogger({ level: 'silent', errorLog: '-', base: {} });
    const workers = new WorkerProcesses(
      () => config,
      { fds: [], reuseBinds: [], proxy: [] },
      logger,
      () => {},
    );
    const exits: number[] = [];
    workers.events$.pipe(filter((e) => e.type === 'WORKER_EXIT')).subscribe((e) => exits.push(e.id));
    for (let id = 1; id <= 20; id++) workers.spawn(id, 1);
    expect(childrenOf(process.pid).filter(isAlive)).toEqual([]); // nothing yet: the caller's turn goes on
    await new Promise((ok) => setImmediate(ok));
    expect(childrenOf(process.pid).length).toBeLessThanOrEqual(1);
    workers.signal(20, 'SIGTERM'); // still queued: it is never started, and that is its exit
    expect(exits).toEqual([20]);
    await eventually(() => childrenOf(process.pid).filter(isAlive).length === 19, 10_000, 'the other nineteen started');
    await firstValueFrom(workers.events$.pipe(filter((e) => e.type === 'WORKER_READY')));
    const exited = firstValueFrom(workers.events$.pipe(filter((e) => e.type === 'WORKER_EXIT' && exits.length === 20)));
    workers.killAll();
    await exited;
    await eventually(() => childrenOf(process.pid).filter(isAlive).length === 0, 10_000, 'all gone');
  });
});

describe('the inspector and the metrics answer only their own address', () => {
  it('a rebinding Host gets 421, loopback names and addresses are served; too many clients are turned away', async () => {
    const [inspector, metrics] = await freePorts(2);
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--inspector', `127.0.0.1:${inspector}`, '--metrics', `127.0.0.1:${metrics}`, 'hello.cjs']);
    for (const [port, path] of [
      [inspector, '/steps'],
      [metrics, '/metrics'],
    ] as const) {
      expect(await raw(port, `GET ${path} HTTP/1.1\r\nHost: attacker.example:${port}`)).toMatch(/^HTTP\/1\.1 421 /);
      expect(await raw(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1.attacker.example`)).toMatch(/^HTTP\/1\.1 421 /);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost'])
        expect(await raw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}`)).toMatch(/^HTTP\/1\.1 200 /);
    }
    // More connections than MAX_CLIENTS: as many as are over it are closed (the oldest idle ones), the server serves on.
    const held = await Promise.all(
      Array.from(
        { length: MAX_CLIENTS + 10 },
        () =>
          new Promise<net.Socket>((ok) => {
            const c = net.connect(metrics, '127.0.0.1', () => ok(c));
            c.on('error', () => {});
          }),
      ),
    );
    await eventually(() => held.filter((c) => c.destroyed || c.readableEnded).length >= 10, 5000, 'the extra connections closed');
    for (const c of held) c.destroy();
    // The server counts a client gone once its close reaches it: until then a new one may still be turned away.
    let status = 0;
    const deadline = Date.now() + 5000;
    while (status !== 200 && Date.now() < deadline)
      status = await get(`http://127.0.0.1:${metrics}/metrics`).then(
        (r) => r.status,
        () => 0,
      );
    expect(status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('an event stream client that never reads is dropped, not buffered for', async () => {
    // The inspector's own server on real sockets, fed by a hub that emits 64 KiB steps fast:
    // the master's real steps would take minutes to fill the kernel's buffers.
    const listeners = new Set<(step: Step) => void>();
    const hub = {
      steps: [] as Step[],
      subscribe: (l: (step: Step) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const port = await freePort();
    const server = await serveInspector(hub, '127.0.0.1', port);
    let sent = 0;
    const reader = http.get({ host: '127.0.0.1', port, path: '/events' }, (res) =>
      res.on('data', (d: Buffer) => {
        sent += d.length;
      }),
    );
    reader.on('error', () => {});
    let received = 0;
    let ended = false;
    const lazy = net.connect(port, '127.0.0.1', () => lazy.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    lazy.pause();
    lazy.on('data', (d) => {
      received += d.length;
    });
    for (const event of ['end', 'close', 'error'])
      lazy.on(event, () => {
        ended = true;
      });
    await eventually(() => listeners.size === 2, 5000, 'both clients subscribed');
    const step = { kind: 'step', cause: 'x'.repeat(64 * 1024) } as unknown as Step;
    while (sent < 64 * 1024 * 1024 && listeners.size === 2) {
      for (const l of [...listeners]) l(step);
      await new Promise((ok) => setImmediate(ok));
    }
    expect(listeners.size).toBe(1); // the lazy one is gone
    lazy.resume();
    await eventually(() => ended, 10_000, 'the dropped connection to end');
    expect(received).toBeLessThan(MAX_UNREAD + 32 * 1024 * 1024); // what the kernels held, at most
    expect(sent).toBeGreaterThan(received);
    reader.destroy();
    await server.close();
  });
});

describe('--keep-alive 0 and the fetch form', () => {
  it('--keep-alive 0 closes each connection after its response, so an idle client never holds a draining worker', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--keep-alive', '0', '--graceful-timeout', '20', 'hello.cjs']);
    const agent = new http.Agent({ keepAlive: true });
    const reply = await get(`${m.url()}/`, { agent });
    expect(reply.headers.connection).toBe('close');
    const from = m.records.length;
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(m.records.slice(from).filter((x) => /after its deadline/.test(x.msg ?? ''))).toEqual([]);
    expect(m.records.slice(from).find((x) => x.msg === 'worker exited: retired')).toMatchObject({ code: 0, signal: null });
    agent.destroy();
  });

  it('the fetch form: the URL is the request target under a Host that is only a host; any other Host gets 400', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'fetch.mjs']);
    const port = Number(new URL(m.url()).port);
    expect(await raw(port, 'GET /public HTTP/1.1\r\nHost: x/admin?')).toMatch(/^HTTP\/1\.1 400 [\s\S]*the Host header or the request target is not valid/);
    expect(await raw(port, 'GET /public HTTP/1.1\r\nHost: x@evil')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(port, 'GET /public?q=1 HTTP/1.1\r\nHost: example.com:8080')).toMatch(/^HTTP\/1\.1 200 [\s\S]*fetch GET \/public  from/);
    expect(await raw(port, 'GET http://other.example/abs HTTP/1.1\r\nHost: example.com')).toMatch(/fetch GET \/abs /);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});
