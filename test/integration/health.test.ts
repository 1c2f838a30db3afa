/**
 * --health, for real: an orchestrator's probes against a running master through the first boot,
 * every worker gone, TERM during --drain-delay, a master that is stopped dead (SIGSTOP), and a
 * hot upgrade, whose new master takes the health and metrics addresses over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { APPS, isTransition, startCli, startServing, type Rec, type Running } from '../helpers/cli.js';
import { freePorts, get } from '../helpers/http.js';

interface Probe {
  status: number;
  body: Rec;
  type: string | undefined;
}

async function probe(base: string, path: string): Promise<Probe> {
  const r = await get(`${base}${path}`, { timeoutMs: 5000 });
  expect(r.body.endsWith('\n') && r.body.indexOf('\n') === r.body.length - 1).toBe(true);
  return { status: r.status, body: JSON.parse(r.body) as Rec, type: r.headers['content-type'] };
}

/**
 * Probes until `check` holds, with a deadline: the answers follow the master's steps. A refused
 * connection is a failed probe too (between two masters, the address is briefly nobody's).
 */
async function until(base: string, path: string, check: (p: Probe) => boolean, what: string): Promise<Probe> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const p = await probe(base, path).catch((e: Error) => ({ status: 0, body: { error: e.message }, type: undefined }));
    if (check(p)) return p;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${path}: ${p.status} ${JSON.stringify(p.body)}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/** GET, again while the address is refused (between two masters it is briefly nobody's), with a deadline. */
async function answered(url: string): Promise<Awaited<ReturnType<typeof get>>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await get(url, { timeoutMs: 5000 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > deadline) throw e;
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }
}

const healthBase = async (m: Running) => (await m.waitFor((x) => typeof x.health === 'string', { what: 'the health address' })).health as string;

describe('--health', () => {
  it('startup and readiness follow the first boot and the workers; liveness holds', async () => {
    const gate = join(mkdtempSync(join(tmpdir(), 'statefork-health-')), 'gate');
    // Workers 1 and 2 wait for the gate as they load: the first boot is held, then every worker is gone.
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--health', '127.0.0.1:0', 'gated.mjs'], { env: { GATE: gate, GATED_IDS: '1,2' } });
    const base = await healthBase(m);
    const booting = await probe(base, '/startupz');
    expect(booting).toMatchObject({
      status: 503,
      type: 'application/json',
      body: { status: 'unavailable', reason: 'the first workers are booting', state: 'booting', pid: m.pid },
    });
    expect(await probe(base, '/readyz')).toMatchObject({
      status: 503,
      body: { reason: 'the first workers are booting: 0 of 1 ready', workers: { ready: 0, target: 1 } },
    });
    expect(await probe(base, '/livez')).toMatchObject({ status: 200, body: { status: 'ok', reason: 'the master runs its checks' } });
    writeFileSync(gate, '');
    await m.waitFor(isTransition('master', 'serving.running'));
    expect(await probe(base, '/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ok', reason: '1 of 1 workers ready', state: 'serving.running', workers: { ready: 1, target: 1 }, generation: 1 },
    });
    expect(await probe(base, '/startupz')).toMatchObject({ status: 200, body: { reason: 'the first workers served' } });
    // Every worker gone: its replacement (worker 2) waits at the gate again.
    rmSync(gate);
    process.kill(m.workerPids()[0], 'SIGKILL');
    await until(base, '/readyz', (p) => p.status === 503, 'readiness to fail with no worker ready');
    expect(await probe(base, '/readyz')).toMatchObject({ body: { reason: 'no worker is ready (0 of 1): they are booting, crashed or backing off' } });
    expect((await probe(base, '/startupz')).status).toBe(200);
    writeFileSync(gate, '');
    await until(base, '/readyz', (p) => p.status === 200, 'readiness once the replacement serves');
    for (const path of ['/other', '/readyz?x=1']) expect((await get(`${base}${path}`)).status).toBe(path === '/other' ? 404 : 200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('503 from the moment TERM arrives, while the workers serve on through --drain-delay', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--health', '127.0.0.1:0', '--drain-delay', '3', 'hello.cjs']);
    const base = await healthBase(m);
    expect((await probe(base, '/readyz')).status).toBe(200);
    m.signal('SIGTERM');
    const out = await until(base, '/readyz', (p) => p.status === 503, 'readiness to fail on TERM');
    expect(out.body).toMatchObject({ reason: 'the master is stopping: out of rotation while its workers finish', workers: { ready: 2 } });
    // Out of rotation, not out of service: the app answers, the master is alive.
    expect((await get(`${m.url()}/`)).status).toBe(200);
    expect((await probe(base, '/livez')).status).toBe(200);
    expect((await probe(base, '/startupz')).status).toBe(200);
    expect(m.records.some((x) => /drain delay over/.test(x.msg ?? ''))).toBe(false);
    expect((await m.exited).code).toBe(0);
  });

  it('a master stopped dead answers no probe; it answers again once it runs', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--health', '127.0.0.1:0', 'hello.cjs']);
    const base = await healthBase(m);
    m.signal('SIGSTOP');
    onTestFinished(() => {
      try {
        process.kill(m.pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    });
    await expect(get(`${base}/livez`, { timeoutMs: 1000 })).rejects.toThrow('client timeout');
    m.signal('SIGCONT');
    expect((await probe(base, '/livez')).status).toBe(200);
  });

  it('a bad address is one line and exit 2; an address in use is one line and exit 1', async () => {
    const bad = startCli(['--health', 'nowhere', 'hello.cjs']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderrText().trim()).toBe("statefork: error: invalid --health 'nowhere': expected HOST:PORT or PORT (e.g. --health 127.0.0.1:9101)");
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--health', '127.0.0.1:0', 'hello.cjs']);
    const port = new URL(await healthBase(m)).port;
    const taken = startCli(['-w', '1', '-b', '127.0.0.1:0', '--health', `127.0.0.1:${port}`, 'hello.cjs']);
    expect((await taken.exited).code).toBe(1);
    expect(taken.stderrText()).toContain(
      `statefork: error: cannot serve the health endpoints at 127.0.0.1:${port}: EADDRINUSE; choose another --health address`,
    );
  });

  it('a hot upgrade: the new master takes the health, metrics and inspector addresses over once the old one exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-health-up-'));
    const [health, metrics, inspector] = await freePorts(3);
    const m = await startServing([
      '-w',
      '1',
      '-b',
      '127.0.0.1:0',
      '-p',
      join(dir, 'app.pid'),
      '--health',
      `127.0.0.1:${health}`,
      '--metrics',
      `127.0.0.1:${metrics}`,
      '--inspector',
      `127.0.0.1:${inspector}`,
      join(APPS, 'hello.cjs'),
    ]);
    const base = `http://127.0.0.1:${health}`;
    expect((await probe(base, '/readyz')).body.pid).toBe(m.pid);
    const start = m.records.length;
    m.signal('SIGUSR2');
    const { newMasterPid } = await m.waitFor((x) => /^new master started/.test(x.msg ?? ''), { from: start });
    onTestFinished(() => {
      try {
        process.kill(newMasterPid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    for (const [port, what] of [
      [health, 'the health endpoints'],
      [metrics, 'the metrics'],
      [inspector, 'the inspector'],
    ] as const) {
      await m.waitFor(
        (x) =>
          x.pid === newMasterPid &&
          x.msg === `hot upgrade: 127.0.0.1:${port} (${what}) is still the old master's; served here once the old master lets go of it`,
        { from: start },
      );
    }
    await m.waitFor((x) => /^new master ready: WINCH then QUIT/.test(x.msg ?? ''), { from: start });
    m.signal('SIGWINCH');
    await m.waitFor(isTransition('master', 'serving.handedOver'), { from: start });
    // The old master still holds the address; the sockets are the new master's, which is ready.
    expect(await probe(base, '/readyz')).toMatchObject({
      status: 200,
      body: { reason: `handed over: the new master (pid ${newMasterPid}) serves on the same sockets`, pid: m.pid },
    });
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    const taken = await until(base, '/readyz', (p) => p.status === 200 && p.body.pid === newMasterPid, 'the new master to answer');
    expect(taken.body).toMatchObject({ reason: '1 of 1 workers ready', state: 'serving.running' });
    expect(taken.body.pid).toBe(newMasterPid);
    // Each address is taken over on its own retry (every 250 ms): the new master answers each soon.
    const scrape = await answered(`http://127.0.0.1:${metrics}/metrics`);
    expect(scrape.body).toMatch(/^statefork_workers\{state="ready"\} 1$/m);
    const page = await answered(`http://127.0.0.1:${inspector}/workers`);
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body)).toMatchObject({ state: 'serving.running', workers: [expect.objectContaining({ phase: 'ready' })] });
    process.kill(newMasterPid, 'SIGTERM');
  });
});
