/**
 * The smoke subset that also runs on Node 22 and 24 (test/other-nodes.mjs): serve, scale,
 * reload under keep-alive load, and a graceful stop with a request in flight; an app that calls
 * listen() itself, served on statefork's bind (the capture, on each line).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, isTransition, startServing } from '../helpers/cli.js';
import { get, requestLoop } from '../helpers/http.js';

describe(`smoke on Node ${process.version}`, () => {
  it('serves, scales, reloads under load without a failed request, and stops gracefully', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--keep-alive', '1', 'hello.cjs']);
    expect((await get(`${m.url()}/`)).status).toBe(200);

    let from = m.records.length;
    m.signal('SIGTTIN');
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(m.workerPids()).toHaveLength(3);

    let done = false;
    const loop = requestLoop(`${m.url()}/`, { concurrency: 4, keepAlive: true, stop: () => done });
    from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    await m.waitForCount((x) => x.machine === 'master.worker' && x.to === 'exited', 3, { from });
    done = true;
    const result = await loop;
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(10);

    const slow = get(`${m.url()}/slow?ms=1000`);
    await m.waitFor((x) => x.app === 'request');
    m.signal('SIGTERM');
    expect((await slow).status).toBe(200);
    expect((await m.exited).code).toBe(0);
  });

  it("serves an app that listens itself on statefork's bind, across a HUP", async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', join(APPS, 'listen', 'plain.cjs')]);
    const port = Number(new URL(m.url()).port);
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello from \d+/);
    const said = m.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"app":"listening"'))
      .map((l) => JSON.parse(l).address.port);
    expect(said).toEqual([port, port]);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    expect((await get(`${m.url()}/`)).status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});
