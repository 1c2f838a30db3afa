/**
 * Apps that call listen() themselves, run unchanged: the first HTTP server's listen is served
 * on statefork's sockets, whatever the app asked for (src/worker/listen-capture.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { APPS, CLI, eventually, isAlive, startCli, startServing, type Rec } from '../helpers/cli.js';
import { selfSignedCertificate } from '../helpers/tls.js';
import { freePorts, get, pidOf, requestLoop } from '../helpers/http.js';
import { bothAnswer, servesUnchanged } from './own-listen.shared.js';

const NODE_22 = fileURLToPath(new URL('../../node_modules/node-22/bin/node', import.meta.url));

const LISTEN = join(APPS, 'listen');
/** A self-signed certificate for 127.0.0.1 (openssl), in a fresh directory. */
const certificate = () => selfSignedCertificate('IP:127.0.0.1');

const appLines = (stdout: string): Rec[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{"app"'))
    .map((l) => JSON.parse(l));

describe('an app that listens itself', () => {
  it('plain node:http server.js: served unchanged across a HUP and a TERM', () => servesUnchanged({ entry: join(LISTEN, 'plain.cjs') }));
  it('Express 5 app.listen(port, cb)', () => servesUnchanged({ entry: join(LISTEN, 'express.cjs') }));
  it('Fastify 5 await app.listen({ port, host })', () => servesUnchanged({ entry: join(LISTEN, 'fastify.mjs') }));
  it('Koa app.listen(port)', () => servesUnchanged({ entry: join(LISTEN, 'koa.cjs') }));
  it('Hono serve({ fetch, port }) from @hono/node-server', () => servesUnchanged({ entry: join(LISTEN, 'hono.mjs') }));
  it('an app that listens only after its start-up awaited something', () => servesUnchanged({ entry: join(LISTEN, 'later.cjs') }));

  it("address(), the listening event and the callback tell statefork's address, not the one asked for", async () => {
    const [port] = await freePorts(1);
    const m = await startServing(['-w', '1', '-b', `127.0.0.1:${port}`, join(LISTEN, 'plain.cjs')], { env: { PORT: '3999' } });
    await get(`${m.url()}/`);
    const lines = appLines(m.stdout);
    const address = { address: '127.0.0.1', family: 'IPv4', port };
    expect(lines.find((l) => l.app === 'right after listen()')?.address).toEqual(address);
    expect(lines.find((l) => l.app === 'listening')).toEqual({ app: 'listening', address, listening: true, events: 1 });
    expect(m.records.find((r) => r.role === 'worker' && r.asked)?.msg).toBe("the app's own listen on port 3999 is served on statefork's sockets");
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('is served on every bind: TCP, a second TCP and a unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-own-'));
    const [a, b] = await freePorts(2);
    const sock = join(dir, 'app.sock');
    const m = await startServing(['-w', '2', '-b', `127.0.0.1:${a}`, '-b', `127.0.0.1:${b}`, '-b', `unix:${sock}`, join(LISTEN, 'express.cjs')]);
    for (const r of [await get(`http://127.0.0.1:${a}/`), await get(`http://127.0.0.1:${b}/`), await get('http://x/', { socketPath: sock })]) {
      expect(r.status).toBe(200);
      expect(m.workerPids()).toContain(pidOf(r.body));
    }
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('is served on --reuse-port binds, each worker binding its own socket', async () => {
    const [port] = await freePorts(1);
    const m = await startServing(['-w', '2', '--reuse-port', '-b', `127.0.0.1:${port}`, join(LISTEN, 'koa.cjs')], { node: NODE_22 });
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    expect([...out.matchAll(/pid=(\d+)/g)].map((x) => Number(x[1])).sort()).toEqual([...m.workerPids()].sort());
    await bothAnswer(`http://127.0.0.1:${port}`, '/', m.workerPids());
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('passes a second server through unchanged, with one warning naming its address', async () => {
    const [admin] = await freePorts(1);
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', join(LISTEN, 'two-servers.cjs')], { env: { ADMIN_PORT: String(admin) } });
    const warnings = () => m.records.filter((r) => r.role === 'worker' && r.level === 40 && r.listen);
    await eventually(() => warnings().length >= 2, 10_000, 'the warning of each worker');
    expect(new Set(warnings().map((w) => w.pid)).size).toBe(2);
    expect(warnings()[0].msg).toBe(
      `the app starts another server on 127.0.0.1:${admin}: passed through unchanged, so every worker binds it itself (only its first HTTP server is served on statefork's sockets)`,
    );
    // The two workers raced for it: one has it, the other's bind failed as the warning said.
    // Both outcomes come after the worker is ready (a bind's result is asynchronous): wait for two.
    const outcomes = () => appLines(m.stdout).filter((l) => l.app === 'admin' || l.app === 'admin error');
    await eventually(() => outcomes().length >= 2, 10_000, "both workers' admin listen outcomes");
    const lines = appLines(m.stdout);
    expect(lines.filter((l) => l.app === 'admin').map((l) => l.address.port)).toEqual([admin]);
    expect(lines.filter((l) => l.app === 'admin error').map((l) => l.code)).toEqual(['EADDRINUSE']);
    expect((await get(`http://127.0.0.1:${admin}/`)).body).toMatch(/^admin of \d+/);
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello from \d+/);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a second server on a free port (0) is passed through without a warning', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', join(LISTEN, 'two-servers.cjs')]);
    await get(`${m.url()}/`);
    await eventually(() => appLines(m.stdout).some((l) => l.app === 'admin'), 10_000, "the admin server's listen callback");
    expect(appLines(m.stdout).filter((l) => l.app === 'admin')).toHaveLength(1);
    expect(m.records.filter((r) => r.listen)).toEqual([]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it("workers get PORT set to statefork's first TCP port, unless the user set PORT", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-own-'));
    const m = await startServing(['-w', '1', '-b', `unix:${join(dir, 'first.sock')}`, '-b', '127.0.0.1:0', join(LISTEN, 'port-env.cjs')]);
    const tcp: string = m.records.find((r) => String(r.url).startsWith('http://'))!.url;
    const port = new URL(tcp).port;
    expect(appLines(m.stdout).find((l) => l.app === 'PORT')?.port).toBe(port);
    expect((await get(`${tcp}/`)).body).toMatch(new RegExp(`self link http://127.0.0.1:${port}/`));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    const own = await startServing(['-w', '1', '-b', '127.0.0.1:0', join(LISTEN, 'port-env.cjs')], { env: { PORT: '4321' } });
    expect(appLines(own.stdout).find((l) => l.app === 'PORT')?.port).toBe('4321');
    own.signal('SIGTERM');
    expect((await own.exited).code).toBe(0);
  });

  it('an app that exports nothing and never listens fails at --boot-timeout with one line naming both forms: exit 4', async () => {
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--boot-timeout', '3', join(LISTEN, 'never-listens.cjs')]);
    expect((await m.exited).code).toBe(4);
    const fatal = m.records.filter((x) => x.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].msg).toMatch(
      /^App failed to load: the default export of .*never-listens\.cjs is an object with keys \[\]; export a request listener .*, or call listen\(\) on an HTTP server \(it called none within --boot-timeout 3 s\)$/,
    );
    expect(m.records.some((x) => x.msg === 'worker boot timeout')).toBe(false);
  });

  it("sets the app's own SIGTERM handler aside, so a TERM drains instead of exiting mid-request", async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', join(LISTEN, 'exits-on-term.cjs')]);
    expect(m.records.find((r) => r.signal === 'SIGTERM' && r.level === 40)?.msg).toMatch(
      /^the app's own SIGTERM listener is set aside: in a worker SIGTERM is statefork's/,
    );
    const slow = get(`${m.url()}/?ms=800`);
    await m.waitFor((r) => r.app === 'request');
    m.signal('SIGTERM');
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect((await m.exited).code).toBe(0);
    expect(appLines(m.stdout).filter((l) => l.app === 'SIGTERM handler ran')).toEqual([]);
  });

  it('--certfile with an app that makes a plain HTTP server: exit 4 with the reason and the fix', async () => {
    const { cert, key } = certificate();
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--certfile', cert, '--keyfile', key, join(LISTEN, 'plain.cjs')]);
    expect((await m.exited).code).toBe(4);
    // It asked for PORT, which statefork set to its own port.
    const port = new URL(m.records.find((x) => x.url)!.url).port;
    expect(m.records.find((x) => x.level === 60)?.msg).toMatch(
      new RegExp(
        `plain\\.cjs starts its own plain HTTP server \\(listen on port ${port}\\), which --certfile cannot make HTTPS: terminate TLS in front of statefork and drop --certfile, or export the request listener \\(statefork then serves it over HTTPS\\)$`,
      ),
    );
  });

  it('an app with its own HTTPS server is served with its own certificate', async () => {
    const { cert, key } = certificate();
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', join(LISTEN, 'https-own.cjs')], { env: { TLS_CERT: cert, TLS_KEY: key } });
    const port = new URL(m.url()).port;
    const body = await new Promise<string>((ok, fail) => {
      https
        .get({ host: '127.0.0.1', port, path: '/', ca: readFileSync(cert) }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d)).on('end', () => ok(text));
        })
        .on('error', fail);
    });
    expect(m.workerPids()).toContain(pidOf(body));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it("a hot upgrade (USR2 with --upgrade-auto): the new master's workers serve the inherited sockets, no request fails", async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--upgrade-auto', join(LISTEN, 'express.cjs')]);
    const url = `${m.url()}/`;
    const oldWorkers = m.workerPids();
    let done = false;
    const loop = requestLoop(url, { concurrency: 4, keepAlive: true, stop: () => done, maxMs: 60_000 });
    const start = m.records.length;
    m.signal('SIGUSR2');
    const spawned = await m.waitFor((x) => x.pid === m.pid && /^new master started/.test(x.msg ?? ''), { from: start, what: 'the new master to start' });
    const newMaster = spawned.newMasterPid as number;
    onTestFinished(() => {
      try {
        process.kill(newMaster, 'SIGTERM');
      } catch {
        /* gone */
      }
    });
    expect((await m.exited).code).toBe(0);
    const newWorkers = m.records.filter((x) => x.pid === newMaster && x.event === 'spawned').map((x) => x.workerPid as number);
    await bothAnswer(m.url(), '/', newWorkers);
    done = true;
    const result = await loop;
    expect(result.failures).toEqual([]);
    expect(newWorkers.some((p) => oldWorkers.includes(p))).toBe(false);
    process.kill(newMaster, 'SIGTERM');
    await eventually(() => !isAlive(newMaster), 10_000, 'the new master to stop');
  });

  it('is served on the sockets systemd socket activation passed', async () => {
    const [a] = await freePorts(1);
    const m = startCli(['-w', '2', join(LISTEN, 'fastify.mjs')], { wrap: ['systemd-socket-activate', '-l', `127.0.0.1:${a}`] });
    await eventually(() => /Listening on/.test(m.stderrText()), 10_000, 'systemd-socket-activate to listen');
    const first = await get(`http://127.0.0.1:${a}/`);
    expect(first.status).toBe(200);
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running');
    await bothAnswer(`http://127.0.0.1:${a}`, '/', m.workerPids());
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it.each(['plain.cjs', 'fastify.mjs', 'later.cjs'])('--check-config %s: loads it, holds its listen unbound, says it is fine', (app) => {
    const r = spawnSync(process.execPath, [CLI, '--check-config', join(LISTEN, app)], { encoding: 'utf8', cwd: APPS, env: { ...process.env, PORT: '0' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`configuration and app are fine: ${join(LISTEN, app)}`);
    expect(r.stdout).not.toMatch(/"app":"listening"/);
  });
});
