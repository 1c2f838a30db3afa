import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, isAlive, startServing, startCli } from '../helpers/cli.js';
import { get, pidOf } from '../helpers/http.js';

describe('serving', () => {
  it('serves a request listener on HOST:PORT from every worker, and the master accepts nothing itself', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const workers = m.workerPids();
    expect(workers).toHaveLength(2);
    const seen = new Set<number>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const r = await get(`${m.url()}/`);
      expect(r.status).toBe(200);
      seen.add(Number(/from (\d+)/.exec(r.body)![1]));
    }
    expect([...seen].every((pid) => workers.includes(pid))).toBe(true);
    expect(seen.has(m.pid)).toBe(false);
  });

  it('keeps new connections waiting in the backlog while no worker is alive, then serves them', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const [old] = m.workerPids();
    process.kill(old, 'SIGKILL');
    await eventually(() => !isAlive(old), 5000, 'the only worker to die');
    const r = await get(`${m.url()}/`); // nobody accepts right now: the kernel queues it
    expect(r.status).toBe(200);
    expect(pidOf(r.body)).not.toBe(old);
    expect(m.workerPids()).toContain(pidOf(r.body));
  });

  it('serves on [::1]:PORT', async () => {
    const m = await startServing(['-w', '1', '-b', '[::1]:0', 'hello.cjs']);
    expect(m.url()).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('serves on unix:PATH, replaces a stale socket file, and unlinks it on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-'));
    const path = join(dir, 'app.sock');
    // A stale socket file, as a server killed with SIGKILL leaves it behind.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(path)).toBe(true);
    const m = await startServing(['-w', '1', '-b', `unix:${path}`, 'hello.cjs']);
    const r = await get('', { socketPath: path });
    expect(r.body).toMatch(/^hello v1 from \d+/);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('serves on fd://N, a socket inherited from the parent', async () => {
    const handle = (net as any)._createServerHandle('127.0.0.1', 0, 4);
    const out: any = {};
    handle.getsockname(out);
    const m = startCli(['-w', '1', '-b', 'fd://3', 'hello.cjs'], { stdio: ['ignore', 'pipe', 'pipe', handle.fd] });
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running');
    handle.close();
    expect((await get(`http://127.0.0.1:${out.port}/`)).status).toBe(200);
  });

  it('serves several binds at once', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-b', '127.0.0.1:0', 'hello.cjs']);
    const urls = m.records.filter((x) => x.url).map((x) => x.url);
    expect(urls).toHaveLength(2);
    for (const url of urls) expect((await get(`${url}/`)).status).toBe(200);
  });

  it('serves the fetch form (ESM default export)', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'fetch.mjs']);
    const r = await get(`${m.url()}/path?x=1`);
    expect(r.status).toBe(200);
    expect(r.headers['x-app']).toBe('fetch');
    expect(r.body).toMatch(/^fetch GET \/path/);
  });

  it('serves the http.Server form through PATH:EXPORT', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'server.mjs:server']);
    expect((await get(`${m.url()}/here`)).body).toMatch(/^server \/here from/);
  });

  it('sets process titles for the master and the workers', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-n', 'shop', 'hello.cjs']);
    const { readFileSync } = await import('node:fs');
    const title = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    expect(title(m.pid)).toBe('statefork: master [shop]');
    expect(title(m.workerPids()[0])).toBe('statefork: worker [shop]');
  });
});
