/**
 * HTTP/2 on a TLS bind (--http2), for real: Node's http2 client and curl --http2 against the
 * workers, HTTP/1.1 for the clients that ask for it, the app forms that work over it, and a
 * long-lived session across a HUP: the old worker's GOAWAY moves the client to a new worker and
 * no request fails.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { refusal, startServing } from '../helpers/cli.js';
import { selfSignedCertificate } from '../helpers/tls.js';

const { cert, key } = selfSignedCertificate();
const ca = readFileSync(cert);

/** One GET on a session: status and body. */
function get(session: http2.ClientHttp2Session, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => {
      status = Number(h[':status']);
    });
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => resolve({ status, body }));
    req.on('error', reject);
  });
}

const connect = (url: string) =>
  new Promise<http2.ClientHttp2Session>((resolve, reject) => {
    const s = http2.connect(url, { ca });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

describe('HTTP/2 (--http2)', () => {
  it('needs TLS: without --certfile it is refused with the fix', async () => {
    const { code, lines } = await refusal(['--http2', 'hello.cjs']);
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/invalid --http2: statefork serves HTTP\/2 over TLS only .*give --certfile and --keyfile too/);
  });

  it.each([
    ['a request listener', 'hello.cjs', /^hello v1 from \d+/],
    ['a fetch app (Hono)', 'hono.mjs', /^hono from \d+/],
  ])('serves %s over h2 by ALPN, HTTP/1.1 to who asks, and curl --http2; every stream is a request', async (_form, app, body) => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--http2', '--certfile', cert, '--keyfile', key, '--access-log', '-', app]);
    const url = m.url();
    const session = await connect(url);
    expect(session.alpnProtocol).toBe('h2');
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(session)));
    expect(replies.map((r) => r.status)).toEqual(new Array(10).fill(200));
    for (const r of replies) expect(r.body).toMatch(body);
    session.close();
    const h1 = await new Promise<string>((resolve, reject) =>
      https
        .get(`${url}/`, { ca }, (res) => {
          let b = '';
          res.on('data', (d) => {
            b += d;
          });
          res.on('end', () => resolve(`${res.httpVersion} ${res.statusCode} ${b}`));
        })
        .on('error', reject),
    );
    expect(h1).toMatch(/^1\.1 200 /);
    const curl = execFileSync('curl', ['-sS', '--http2', '--cacert', cert, '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `${url}/`], {
      encoding: 'utf8',
    });
    expect(curl).toBe('2 200');
    // Each stream is an access-log line (the log is this test's stdout): ten, curl's, and the HTTP/1.1 one.
    for (
      const end = Date.now() + 5000;
      (m.stdout.match(/"GET \/ HTTP\/2\.0" 200/g) ?? []).length < 11 && Date.now() < end;
      await new Promise((ok) => setTimeout(ok, 50))
    );
    expect((m.stdout.match(/"GET \/ HTTP\/2\.0" 200/g) ?? []).length).toBe(11);
    expect((m.stdout.match(/"GET \/ HTTP\/1\.1" 200/g) ?? []).length).toBe(1);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('moves a long-lived session to a new worker on HUP: GOAWAY, the open streams finish, no request fails', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--http2', '--certfile', cert, '--keyfile', key, 'hello.cjs']);
    const url = m.url();
    let session = await connect(url);
    let goaways = 0;
    const watch = (s: http2.ClientHttp2Session) =>
      s.on('goaway', () => {
        goaways++;
      });
    watch(session);
    const pids = new Set<string>();
    let failed = 0;
    let ok = 0;
    let stop = false;
    // Four streams at a time on the one session; a session that got GOAWAY is replaced, as a
    // browser does, before the next request (a request never sent on it is not a failure).
    const lane = async () => {
      while (!stop) {
        if (session.closed || session.destroyed || (session as unknown as { goawayReceived?: boolean }).goawayReceived) {
          session = await connect(url);
          watch(session);
        }
        try {
          const r = await get(session);
          if (r.status !== 200) failed++;
          else {
            ok++;
            pids.add(/from (\d+)/.exec(r.body)![1]);
          }
        } catch (e) {
          // Refused before the server began it (after the GOAWAY's last stream): safe to send again.
          if ((e as { code?: string }).code === 'ERR_HTTP2_GOAWAY_SESSION' || /REFUSED_STREAM|GOAWAY/.test(String(e))) continue;
          failed++;
        }
      }
    };
    const lanes = Array.from({ length: 4 }, lane);
    for (const end = Date.now() + 5000; ok < 20 && Date.now() < end; await new Promise((r) => setTimeout(r, 20)));
    expect(ok).toBeGreaterThanOrEqual(20);
    const first = [...pids];
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running', { from, what: 'the reload to complete' });
    const okAtReload = ok;
    for (const end = Date.now() + 5000; ok < okAtReload + 50 && Date.now() < end; await new Promise((r) => setTimeout(r, 20)));
    stop = true;
    await Promise.all(lanes);
    session.close();
    expect(failed).toBe(0);
    expect(goaways).toBeGreaterThanOrEqual(1);
    expect(first).toHaveLength(1);
    expect([...pids].filter((p) => !first.includes(p)).length).toBeGreaterThanOrEqual(1);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('curl --http2 on one connection across a HUP: every request answered 200, by both generations', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--http2', '--certfile', cert, '--keyfile', key, 'hello.cjs']);
    const url = `${m.url()}/slow?ms=5`;
    // One curl, 600 requests in turn on its HTTP/2 connection (a new one when the old gets GOAWAY).
    const curl = spawn('curl', ['-sS', '--http2', '--cacert', cert, '-w', '%{http_code} %{http_version}\\n', ...new Array(600).fill(url)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    curl.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((ok) => curl.on('close', ok));
    for (const end = Date.now() + 10_000; (out.match(/ 2\n/g) ?? []).length < 50 && Date.now() < end; await new Promise((r) => setTimeout(r, 20)));
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running', { from, what: 'the reload to complete' });
    expect(await exited).toBe(0);
    const codes = out.match(/^(\d{3}) 2$/gm) ?? [];
    expect(codes).toHaveLength(600);
    expect(new Set(codes)).toEqual(new Set(['200 2']));
    const pids = new Set([...out.matchAll(/from (\d+)/g)].map((x) => x[1]));
    expect(pids.size).toBe(2);
    m.signal('SIGTERM');
    await m.exited;
  });

  it.each([
    ['Koa (app.callback())', 'h2/koa.cjs', 'koa 2.0'],
    ['Fastify (app.routing)', 'h2/fastify.mjs', 'fastify 2.0'],
  ])('%s works over HTTP/2', async (_name, app, body) => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--http2', '--certfile', cert, '--keyfile', key, app]);
    const session = await connect(m.url());
    expect(await get(session)).toEqual({ status: 200, body: `${body}\n` });
    session.close();
    m.signal('SIGTERM');
    await m.exited;
  });

  it("Express does not: its request prototype is HTTP/1.1's, and the worker crashes on the first HTTP/2 request (as the README says)", async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--http2', '--certfile', cert, '--keyfile', key, 'h2/express.cjs']);
    const session = await connect(m.url());
    await get(session).catch(() => null);
    await m.waitFor((x) => x.msg === 'worker exited: crash', { what: 'the worker to crash' });
    session.destroy();
    m.signal('SIGTERM');
    await m.exited;
  });
});
