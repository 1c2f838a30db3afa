/**
 * The inspector's controls and streams under attack, on a real master and real sockets: a control
 * request without the run's token, with a wrong one, from another origin, as a form, too long, or
 * under a rebinding Host is refused and changes nothing; controls that are off answer 404; one
 * stream too many gets 503. The master serves on through all of it.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, startServing, type Running } from '../helpers/cli.js';
import { freePort } from '../helpers/http.js';
import { MAX_STREAMS, serveInspector } from '../../dist/src/inspector/server.js';
import { MAX_BODY } from '../../dist/src/inspector/controls.js';
import type { Step } from '../../dist/src/inspector/hub.js';

interface Sent {
  status: number;
  body: string;
}

function post(port: number, headers: Record<string, string>, body: string, path = '/control'): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The run's token, as the operator gets it: `statefork dashboard-url` (it is never logged). */
const tokenOf = async (m: Running) => /#token=([0-9a-f]+)$/.exec(await dashboardUrl(m))?.[1] ?? '';
const target = async (port: number) =>
  JSON.parse(
    await new Promise<string>((ok) =>
      http.get(`http://127.0.0.1:${port}/workers`, (r) => {
        let t = '';
        r.on('data', (d) => {
          t += d;
        });
        r.on('end', () => ok(t));
      }),
    ),
  ).workers.length as number;

describe("the inspector controls refuse every request that is not the page's own", () => {
  it('no token, a wrong token, another origin, a form, too long a body, a rebinding Host: refused, nothing changes', async () => {
    const port = await freePort();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--inspector', `127.0.0.1:${port}`, '--inspector-controls', 'hello.cjs']);
    const token = await tokenOf(m);
    expect(JSON.stringify(m.records)).not.toContain(token);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const json = { 'content-type': 'application/json' };
    const ttin = JSON.stringify({ command: 'scale', args: { workers: '+1' } });
    const refusals: Array<[Record<string, string>, string, number, RegExp]> = [
      [json, ttin, 403, /"code":"token"/],
      [{ ...json, 'x-statefork-token': 'f'.repeat(32) }, ttin, 403, /"code":"token"/],
      [{ ...json, 'x-statefork-token': token.slice(1) }, ttin, 403, /"code":"token"/],
      [{ ...json, 'x-statefork-token': token, origin: 'http://attacker.example' }, ttin, 403, /"code":"origin"/],
      [{ ...json, 'x-statefork-token': token, origin: `http://127.0.0.1:${port + 1}` }, ttin, 403, /"code":"origin"/],
      [{ 'content-type': 'application/x-www-form-urlencoded', 'x-statefork-token': token }, 'command=scale', 415, /"code":"content-type"/],
      [{ ...json, 'x-statefork-token': token }, 'x'.repeat(MAX_BODY + 1), 413, /"code":"too-long"/],
      [{ ...json, 'x-statefork-token': token }, '{not json', 400, /"code":"bad-json"/],
      [{ ...json, 'x-statefork-token': token }, JSON.stringify({ command: 'status' }), 400, /"code":"unknown-command"/],
      [{ ...json, 'x-statefork-token': token }, JSON.stringify({ command: 'scale', args: { workers: 'lots' } }), 400, /"code":"bad-args"/],
      [{ ...json, 'x-statefork-token': token, host: `attacker.example:${port}` }, ttin, 421, /only to its own address/],
    ];
    for (const [headers, body, status, said] of refusals) {
      const r = await post(port, headers, body);
      expect([r.status, said.test(r.body)], `${JSON.stringify(headers)} ${body.slice(0, 40)}: ${r.body}`).toEqual([status, true]);
    }
    const get = await new Promise<number>((ok) =>
      http.get({ host: '127.0.0.1', port, path: '/control', headers: { 'x-statefork-token': token } }, (r) => {
        r.resume();
        ok(r.statusCode ?? 0);
      }),
    );
    expect(get).toBe(405);
    expect(await target(port)).toBe(1);
    expect(m.records.filter((r) => r.via === 'inspector')).toEqual([]);
    // The page's own request: the same origin, the token, JSON. It goes through as a TTIN.
    const ok = await post(port, { ...json, 'x-statefork-token': token, origin: `http://127.0.0.1:${port}` }, ttin);
    expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { ok: true, data: { target: 2, state: 'serving.running' } }]);
    await m.waitFor((r) => r.via === 'inspector' && r.event === 'TTIN', { what: "the TTIN logged as the inspector's" });
    const tooMany = await post(port, { ...json, 'x-statefork-token': token }, JSON.stringify({ command: 'scale', args: { workers: '2000' } }));
    expect([tooMany.status, JSON.parse(tooMany.body).error.message]).toEqual([400, 'cannot scale to 2000 workers: the most is 1024 (--max-workers)']);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('without --inspector-controls the route is not there: 404 whatever the token; the flag alone is refused', async () => {
    const port = await freePort();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--inspector', `127.0.0.1:${port}`, 'hello.cjs']);
    const r = await post(port, { 'content-type': 'application/json', 'x-statefork-token': 'x' }, JSON.stringify({ command: 'reload' }));
    expect([r.status, JSON.parse(r.body).error.code]).toEqual([404, 'controls-off']);
    expect(m.records.some((x) => x.inspectorControls)).toBe(false);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it(`at most ${MAX_STREAMS} event streams: one more gets 503, and a place frees when one leaves`, async () => {
    const hub = { steps: [] as Step[], subscribe: () => () => {} };
    const port = await freePort();
    const server = await serveInspector(hub, '127.0.0.1', port);
    const open = () =>
      new Promise<{ status: number; socket: net.Socket }>((ok) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => ok({ status: res.statusCode ?? 0, socket: res.socket }));
        req.on('error', () => {});
      });
    const streams = [];
    for (let i = 0; i < MAX_STREAMS; i++) streams.push(await open());
    expect(streams.every((s) => s.status === 200)).toBe(true);
    expect((await open()).status).toBe(503);
    streams.pop()!.socket.destroy();
    let status = 0;
    // The server counts a stream gone once its close reaches it: polled, with a deadline.
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await open()).status;
      if (status !== 200) await new Promise((ok) => setTimeout(ok, 20));
    }
    expect(status).toBe(200);
    for (const s of streams) s.socket.destroy();
    await server.close();
  });
});
