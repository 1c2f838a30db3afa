/**
 * Real peers in front of a proxy: bind: HAProxy (Debian's package) sending PROXY v2 and v1 to
 * statefork, clients connecting to HAProxy from an address of their own (127.0.0.3, 127.0.0.4),
 * and the address the app sees: a plain request listener, Express's req.ip and Fastify's
 * request.ip with their default settings (each app started by its own listen), and a TLS bind.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServing, type Running } from '../helpers/cli.js';
import { selfSignedCertificate } from '../helpers/tls.js';
import { freePorts } from '../helpers/http.js';

const haproxies: ChildProcess[] = [];
afterEach(() => {
  for (const h of haproxies.splice(0)) h.kill('SIGKILL');
});

const portsOf = (m: Running) => m.records.filter((x) => typeof x.url === 'string' && /^listening at/.test(x.msg)).map((x) => Number(new URL(x.url).port));

/** HAProxy in TCP mode: each frontend port forwards to its backend port with the PROXY version given. */
async function haproxy(routes: Array<{ front: number; back: number; send: 'send-proxy' | 'send-proxy-v2' }>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  log stderr format raw local0 err',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 30s',
      '  timeout server 30s',
      ...routes.flatMap((r, i) => [
        `frontend f${i}`,
        `  bind 127.0.0.1:${r.front}`,
        `  default_backend b${i}`,
        `backend b${i}`,
        `  server s 127.0.0.1:${r.back} ${r.send}`,
      ]),
      '',
    ].join('\n'),
  );
  execFileSync('haproxy', ['-c', '-q', '-f', cfg]);
  const h = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  haproxies.push(h);
  // Up once every frontend accepts.
  for (const r of routes) {
    for (let end = Date.now() + 10_000; ; await new Promise((ok) => setTimeout(ok, 50))) {
      const up = await new Promise<boolean>((ok) =>
        net
          .connect(r.front, '127.0.0.1')
          .on('connect', function (this: net.Socket) {
            this.destroy();
            ok(true);
          })
          .on('error', () => ok(false)),
      );
      if (up) break;
      if (Date.now() > end) throw new Error(`haproxy did not listen on ${r.front}`);
    }
  }
}

/** GET / through `port` from the local address `from`. */
function getFrom(port: number, from: string, secure?: Buffer): Promise<any> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: '/', localAddress: from, agent: false };
    const done = (res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    };
    (secure ? https.get({ ...options, ca: secure, servername: 'localhost' }, done) : http.get(options, done)).on('error', reject);
  });
}

describe('behind HAProxy, for real', () => {
  it('a request listener sees the client through PROXY v2 and v1, on TCP and on TLS', async () => {
    const { cert, key } = selfSignedCertificate('DNS:localhost');
    const plain = await startServing(['-w', '2', '-b', 'proxy:127.0.0.1:0', '-b', 'proxy:127.0.0.1:0', 'client-address.cjs']);
    const secure = await startServing(['-w', '1', '-b', 'proxy:127.0.0.1:0', '--certfile', cert, '--keyfile', key, 'client-address.cjs']);
    const [v2back, v1back] = portsOf(plain);
    const [tlsBack] = portsOf(secure);
    const [v2front, v1front, tlsFront] = await freePorts(3);
    await haproxy([
      { front: v2front, back: v2back, send: 'send-proxy-v2' },
      { front: v1front, back: v1back, send: 'send-proxy' },
      { front: tlsFront, back: tlsBack, send: 'send-proxy-v2' },
    ]);

    const v2seen = await getFrom(v2front, '127.0.0.3');
    expect(v2seen).toMatchObject({
      address: '127.0.0.3',
      family: 'IPv4',
      proxy: { version: 2, command: 'proxy', destination: { address: '127.0.0.1', port: v2front } },
    });
    expect(v2seen.proxy.peer.address).toBe('127.0.0.1');
    expect(await getFrom(v1front, '127.0.0.4')).toMatchObject({ address: '127.0.0.4', proxy: { version: 1 } });
    // TLS passes through HAProxy (TCP mode) and ends in the worker, after the header.
    expect(await getFrom(tlsFront, '127.0.0.5', readFileSync(cert))).toMatchObject({ address: '127.0.0.5', proxy: { version: 2 } });
    for (const m of [plain, secure]) m.signal('SIGTERM');
    await Promise.all([plain.exited, secure.exited]);
  });

  it.each([
    ['Express', 'listen/express-ip.cjs'],
    ['Fastify', 'listen/fastify-ip.mjs'],
  ])('%s with its default settings: its ip is the client, also after a HUP', async (_name, app) => {
    const m = await startServing(['-w', '1', '-b', 'proxy:127.0.0.1:0', app], { bootMs: 30_000 });
    const [back] = portsOf(m);
    const [front] = await freePorts(1);
    await haproxy([{ front, back, send: 'send-proxy-v2' }]);
    const first = await getFrom(front, '127.0.0.6');
    expect(first).toMatchObject({ ip: '127.0.0.6' });
    const before = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running', { from: before, timeoutMs: 30_000, what: 'the reload to complete' });
    // Until the old worker has read its drain order it may still accept: wait for it to be gone.
    await m.waitFor((x) => x.machine === 'master.worker' && x.to === 'exited' && x.workerPid === first.pid, {
      from: before,
      timeoutMs: 30_000,
      what: 'the old worker to exit',
    });
    const again = await getFrom(front, '127.0.0.7');
    expect(again).toMatchObject({ ip: '127.0.0.7' });
    // Served by the new generation's worker, which read the header as the first one did.
    expect(again.pid).not.toBe(first.pid);
    expect(m.workerPids()).toContain(again.pid);
    m.signal('SIGTERM');
    await m.exited;
  });
});
