/**
 * The fetch form (`export default { fetch }`), served through @hono/node-server's listener: what a
 * server must get right, for real, over HTTP; and real Hono and h3 apps.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

function request(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; chunks: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      let chunks = 0;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
        chunks++;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers, chunks }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the fetch form', () => {
  it('bodies, Set-Cookie, HEAD and streamed responses', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'fetch-features.mjs']);
    expect((await request(`${m.url()}/echo`, { method: 'POST', body: 'x'.repeat(100_000) })).body).toBe(`echo ${'x'.repeat(100_000)}`);
    expect((await request(`${m.url()}/cookies`)).headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    const head = await request(`${m.url()}/`, { method: 'HEAD' });
    expect([head.status, head.body, head.headers['x-app']]).toEqual([200, '', 'fetch']);
    const streamed = await request(`${m.url()}/stream`);
    expect(streamed.body).toBe('chunk 1\nchunk 2\nchunk 3\n');
    expect(streamed.chunks).toBeGreaterThanOrEqual(2); // sent as it came, not gathered first
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it("a client that goes away aborts the request's signal; a handler that throws is a logged 500", async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'fetch-features.mjs']);
    const req = http.get(`${m.url()}/abort`, { agent: false });
    req.on('error', () => {});
    await m.waitFor((x) => x.app === 'request' && x.path === '/abort');
    req.destroy();
    await m.waitFor((x) => x.app === 'aborted');
    const thrown = await get(`${m.url()}/throw`);
    expect([thrown.status, thrown.body]).toEqual([500, 'Internal Server Error\n']);
    expect(await m.waitFor((x) => x.msg === 'fetch handler failed')).toMatchObject({ level: 50, role: 'worker', err: { message: 'a bug in the handler' } });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('real Hono and h3 apps', async () => {
    const hono = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hono.mjs']);
    expect((await get(`${hono.url()}/`)).body).toMatch(/^hono from \d+$/);
    const json = await request(`${hono.url()}/json`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(json.body)).toEqual({ got: { a: 1 } });
    const h3 = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'h3.mjs']);
    expect((await get(`${h3.url()}/`)).body).toMatch(/^h3 from \d+$/);
    for (const m of [hono, h3]) m.signal('SIGTERM');
    expect([(await hono.exited).code, (await h3.exited).code]).toEqual([0, 0]);
  });
});
