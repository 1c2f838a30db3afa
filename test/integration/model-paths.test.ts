/**
 * Model-based tests, level 2: paths through the master machine, run for real against the built
 * CLI with real signals. Each scenario names the master states the model predicts; the test
 * drives real processes and checks the transition records in the log follow exactly that path,
 * plus what can be seen from outside (HTTP answers, the process tree, the exit code). Together
 * the scenarios visit every state of the master machine; the transitions they take are recorded
 * for `npm run test:model`.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, childrenOf, eventually, isAlive, isTransition, startCli, startServing, type Rec } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { appCopy, HARMLESS, IGNORED_OUTSIDE_SERVING, level2, sendEach, settle, slowReloadProject } from './model-paths.shared.js';

const { states, harvest } = level2('main');

describe('master machine, model-based (level 2: real processes)', () => {
  it('boot → running → HUP → configuring → rolling → running → TERM → graceful → halted', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    for (const sig of ['SIGTTIN', 'SIGUSR1', 'SIGWINCH'] as const) {
      const from = m.records.length;
      m.signal(sig);
      await m.waitFor((x) => x.msg === `handling signal ${sig}`, { from });
    }
    await m.waitForCount((x) => x.msg === 'worker ready', 3);
    expect(childrenOf(m.pid).sort()).toEqual(m.workerPids().sort());
    expect(childrenOf(m.pid)).toHaveLength(3);
    let from = m.records.length;
    m.signal('SIGTTOU');
    await m.waitFor((x) => x.machine === 'master.worker' && x.to === 'exited', { from });
    await eventually(() => childrenOf(m.pid).length === 2, 5000, 'two workers in the process tree');
    from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.running', from);
    expect((await get(`${m.url()}/`)).status).toBe(200);
    const workers = childrenOf(m.pid);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(workers.filter(isAlive)).toEqual([]);
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'stopping.graceful',
      'halted',
    ]);
  });

  it('HUP with broken new code, twice: each reload is abandoned, old workers serve, then INT → quick → halted', async () => {
    const app = appCopy();
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', app]);
    const [old] = m.workerPids();
    writeFileSync(app, "throw new Error('broken release');\n");
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from });
    m.signal('SIGHUP'); // queued: it runs right after the first reload is abandoned, and fails too
    await m.waitForCount((x) => /reload abandoned/.test(x.msg ?? ''), 2, { from });
    await m.waitForCount(isTransition('master', 'serving.running'), 2, { from });
    expect((await get(`${m.url()}/`)).body).toContain(`from ${old}`);
    m.signal('SIGINT');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'stopping.quick',
      'halted',
    ]);
  });

  it('HUP during a reload is queued: the next reload follows; then QUIT during a graceful stop → quick', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', '--graceful-timeout', '5', 'hello.cjs']);
    let from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from });
    m.signal('SIGHUP');
    await m.waitForCount(isTransition('master', 'serving.running'), 2, { from, what: 'both reloads to finish' });
    const slow = get(`${m.url()}/slow?ms=20000`).catch((e) => e);
    await m.waitFor((x) => x.app === 'request');
    from = m.records.length;
    m.signal('SIGTERM');
    await settle(m, 'stopping.graceful', from);
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    await slow;
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'stopping.graceful',
      'stopping.quick',
      'halted',
    ]);
  });

  it('a hung worker and a crashed worker are replaced without leaving running', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', '--timeout', '1', 'hello.cjs']);
    get(`${m.url()}/hang`).catch(() => {});
    const { workerPid: hung } = await m.waitFor((x) => x.msg === 'worker timeout');
    process.kill(
      m.workerPids().find((p) => p !== hung)!,
      'SIGKILL',
    );
    await m.waitForCount((x) => x.msg === 'worker ready', 4);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.graceful', 'halted']);
  });

  it('TERM while booting: booting → graceful → halted, exit 0', async () => {
    const m = startCli(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', 'slow-boot.mjs']);
    await m.waitFor((x) => x.event === 'spawned');
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual(['booting', 'stopping.graceful', 'halted']);
  });

  it('an app that cannot load: booting → quick → halted, exit 4; one that never gets ready: exit 3', async () => {
    const broken = startCli(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', 'throws.cjs']);
    expect((await broken.exited).code).toBe(4);
    expect(harvest(broken.records)).toEqual(['booting', 'stopping.quick', 'halted']);
    const slow = startCli(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', '--boot-timeout', '1', 'slow-boot.mjs']);
    expect((await slow.exited).code).toBe(3);
    expect(harvest(slow.records)).toEqual(['booting', 'stopping.quick', 'halted']);
  });

  for (const stop of ['INT', 'QUIT'] as const) {
    it(`signals while booting stay booting; ${stop} → quick → halted`, async () => {
      const m = startCli(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', 'slow-boot.mjs']);
      await m.waitFor((x) => x.event === 'spawned');
      await sendEach(m, IGNORED_OUTSIDE_SERVING, 'booting');
      m.signal(`SIG${stop}`);
      expect((await m.exited).code).toBe(0);
      expect(harvest(m.records)).toEqual(['booting', 'stopping.quick', 'halted']);
    });
  }

  it('half-booted first generation: a crash stays booting, TTOU of the slow one completes the boot', async () => {
    const m = startCli(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', 'staggered.mjs']);
    const first = await m.waitFor((x) => x.msg === 'worker ready');
    process.kill(first.workerPid, 'SIGKILL');
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 3, { what: 'the replacement of worker 1' });
    expect(m.records.some(isTransition('master', 'serving.running'))).toBe(false);
    m.signal('SIGTTOU'); // retires worker 2, still loading: everyone left is ready
    await settle(m, 'serving.running');
    expect((await get(`${m.url()}/`)).status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.graceful', 'halted']);
  });

  for (const stop of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
    it(`signals during a slow reload stay rolling, ${stop} stops`, async () => {
      const app = join(mkdtempSync(join(tmpdir(), 'statefork-model-')), 'app.mjs');
      writeFileSync(app, "export default (q, s) => s.end('v1');\n");
      const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', '--graceful-timeout', '5', app]);
      writeFileSync(app, "await new Promise((r) => setTimeout(r, 4000)); export default (q, s) => s.end('v2');\n");
      const from = m.records.length;
      m.signal('SIGHUP');
      await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from });
      await sendEach(m, HARMLESS, 'serving.reloading.rolling');
      await m.waitFor((x) => x.event === 'step' && x.cause === 'TICK' && x.to === 'serving.reloading.rolling', { from });
      expect((await get(`${m.url()}/`)).status).toBe(200); // the old worker still serves
      m.signal(stop);
      expect((await m.exited).code).toBe(0);
      const stopState = stop === 'SIGTERM' ? 'stopping.graceful' : 'stopping.quick';
      expect(harvest(m.records).at(-1)).toBe('halted');
      expect(harvest(m.records).slice(0, 5)).toEqual(['booting', 'serving.running', 'serving.reloading.configuring', 'serving.reloading.rolling', stopState]);
    });
  }

  it('a graceful stop sees ticks, and INT escalates it', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const slow = get(`${m.url()}/slow?ms=20000`).catch((e) => e);
    await m.waitFor((x) => x.app === 'request');
    const from = m.records.length;
    m.signal('SIGTERM');
    await m.waitFor((x) => x.event === 'step' && x.cause === 'TICK' && x.to === 'stopping.graceful', { from });
    await sendEach(m, [...IGNORED_OUTSIDE_SERVING, 'TERM'], 'stopping.graceful');
    m.signal('SIGINT');
    expect((await m.exited).code).toBe(0);
    await slow;
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.graceful', 'stopping.quick', 'halted']);
  });

  it('a quick stop waits on a hung worker through ticks, then kills it', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', '--timeout', '0', 'hello.cjs']);
    get(`${m.url()}/hang`).catch(() => {});
    await m.waitFor((x) => x.app === 'request');
    m.signal('SIGINT');
    await m.waitFor(isTransition('master', 'stopping.quick'));
    await sendEach(m, [...IGNORED_OUTSIDE_SERVING, 'TERM', 'INT', 'QUIT'], 'stopping.quick');
    await m.waitFor((x) => /deadline: SIGKILL/.test(x.msg ?? ''));
    expect((await m.exited).code).toBe(0);
    expect(m.records.some((x) => x.event === 'step' && x.cause === 'TICK' && x.to === 'stopping.quick')).toBe(true);
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.quick', 'halted']);
  });

  for (const stop of ['TERM', 'INT', 'QUIT'] as const) {
    it(`no worker alive (backing off): HUP goes straight back to running, ${stop} halts at once`, async () => {
      const app = appCopy();
      const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', app]);
      writeFileSync(app, "throw new Error('broken release');\n");
      const from = m.records.length;
      process.kill(m.workerPids()[0], 'SIGKILL');
      // Replacements fail to load; after the third failure the master waits 2 s with no worker.
      await m.waitFor((x) => x.msg === 'worker exited: app-load-error' && x.failures === 3, { from });
      m.signal('SIGHUP');
      await m.waitFor((x) => x.machine === 'master' && x.event === 'transition' && x.from === 'serving.reloading.rolling' && x.cause === 'CONFIG_LOADED', {
        from,
      });
      m.signal(`SIG${stop}`);
      expect((await m.exited).code).toBe(0);
      expect(harvest(m.records).slice(-2)).toEqual([stop === 'TERM' ? 'stopping.graceful' : 'stopping.quick', 'halted']);
    });
  }

  it('the old worker hangs during a slow reload: the tick that aborts it ends the reload', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'statefork-model-')), 'app.cjs');
    cpSync(join(APPS, 'hello.cjs'), app);
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', '--timeout', '1', app]);
    // The new code takes 4 s to load, so the reload stays rolling while the old worker hangs.
    writeFileSync(app, "const until = Date.now() + 4000; while (Date.now() < until); module.exports = (q, s) => s.end('v2');\n");
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from });
    m.signal('SIGHUP'); // queued behind this reload
    await m.waitFor((x) => /queued/.test(x.msg ?? ''), { from });
    get(`${m.url()}/hang`).catch(() => {});
    await m.waitFor((x) => x.machine === 'master' && x.event === 'transition' && x.from === 'serving.reloading.rolling', { from });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    const left = m.records.slice(from).find((x) => x.machine === 'master' && x.event === 'transition' && x.from === 'serving.reloading.rolling');
    expect([left?.to, left?.cause]).toEqual(['serving.running', 'TICK']);
    harvest(m.records);
  });

  it('TTOU can end a reload (and start the queued one)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
    const app = join(dir, 'app.mjs');
    writeFileSync(app, "export default (q, s) => s.end('v1');\n");
    const m = await startServing(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', app]);
    // In the new generation (workers 3 and 4), worker 4 takes long to load.
    writeFileSync(app, "if (process.env.STATEFORK_WORKER_ID === '4') await new Promise((r) => setTimeout(r, 5000));\nexport default (q, s) => s.end('v2');\n");
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 3, { from });
    m.signal('SIGHUP'); // queued
    await m.waitFor((x) => /queued/.test(x.msg ?? ''), { from });
    m.signal('SIGTTOU'); // one worker fewer: worker 4 and the last old one go, the reload is complete
    const left = await m.waitFor((x) => x.event === 'transition' && x.machine === 'master' && x.from === 'serving.reloading.rolling', { from });
    expect([left.to, left.cause]).toEqual(['serving.running', 'TTOU']);
    await m.waitFor((x) => x.event === 'transition' && x.machine === 'master' && x.from === 'serving.running' && x.cause === 'TTOU', { from });
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    harvest(m.records);
  });

  it('while the configuration loads (a slow config file): signals, worker events and ticks stay configuring; a broken file goes back to running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
    cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
    const config = join(dir, 'statefork.config.mjs');
    const slowConfig = (extra: string) =>
      writeFileSync(config, `await new Promise((r) => setTimeout(r, 5000));\nexport default { app: './app.cjs', bind: '127.0.0.1:0', ${extra} };\n`);
    writeFileSync(config, "export default { app: './app.cjs', bind: '127.0.0.1:0', workers: 2 };\n");
    const m = await startServing(['--log-level', 'debug'], { cwd: dir });
    slowConfig('workers: 0'); // loads slowly, then fails validation
    const from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.configuring', from);
    await sendEach(m, HARMLESS, 'serving.reloading.configuring');
    process.kill(m.workerPids()[0], 'SIGKILL');
    await m.waitFor((x) => x.event === 'step' && x.cause === 'WORKER_EXIT' && x.to === 'serving.reloading.configuring', { from });
    await m.waitFor((x) => x.event === 'step' && x.cause === 'WORKER_READY' && x.to === 'serving.reloading.configuring', { from });
    await m.waitFor((x) => x.event === 'step' && x.cause === 'TICK' && x.to === 'serving.reloading.configuring', { from });
    const failed = await m.waitFor((x) => x.event === 'transition' && x.machine === 'master' && x.cause === 'CONFIG_FAILED', { from });
    expect([failed.from, failed.to]).toEqual(['serving.reloading.configuring', 'serving.running']);
    // The HUP sent while configuring was queued: it starts another (slow) load right away.
    const again = await m.waitFor(
      (x) => x.event === 'transition' && x.machine === 'master' && x.from === 'serving.running' && x.to === 'serving.reloading.configuring',
      { from: m.records.indexOf(failed) },
    );
    expect(again.cause).toBe('CONFIG_FAILED');
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records).slice(-3)).toEqual(['serving.reloading.configuring', 'stopping.quick', 'halted']);
  });

  it('a configuration that loads while no old worker is left completes the reload at once, and runs the queued one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
    cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
    const config = join(dir, 'statefork.config.mjs');
    const go = join(dir, 'go');
    const body = "export default { app: './app.cjs', bind: '127.0.0.1:0', workers: 1 };\n";
    writeFileSync(config, body);
    const m = await startServing(['--log-level', 'debug'], { cwd: dir });
    // From now on the configuration loads only once the test creates the file "go".
    writeFileSync(
      config,
      `import { existsSync } from 'node:fs';\nwhile (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 20));\n${body}`,
    );
    const from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.configuring', from);
    m.signal('SIGHUP'); // queued
    // Break the app and kill the only worker: its replacements fail and the master backs off.
    writeFileSync(join(dir, 'app.cjs'), "throw new Error('broken');\n");
    process.kill(m.workerPids()[0], 'SIGKILL');
    // After the third failure the master waits 2 s with no worker at all: let the configuration in then.
    await m.waitFor((x) => x.msg === 'worker exited: app-load-error' && x.failures === 3, { from, timeoutMs: 20_000 });
    await eventually(() => m.workerPids().length === 0, 2000, 'no worker left');
    writeFileSync(go, '');
    const next = await m.waitFor((x) => x.event === 'transition' && x.machine === 'master' && x.from === 'serving.running' && x.cause === 'CONFIG_LOADED', {
      from,
      timeoutMs: 10_000,
    });
    expect(next.to).toBe('serving.reloading.configuring');
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    harvest(m.records);
  });

  for (const stop of ['TERM', 'INT'] as const) {
    it(`${stop} while the configuration loads stops the master`, async () => {
      const { m } = await slowReloadProject(5000);
      const from = m.records.length;
      m.signal('SIGHUP');
      await settle(m, 'serving.reloading.configuring', from);
      m.signal(`SIG${stop}`);
      expect((await m.exited).code).toBe(0);
      expect(harvest(m.records).slice(-3)).toEqual(['serving.reloading.configuring', stop === 'TERM' ? 'stopping.graceful' : 'stopping.quick', 'halted']);
    });
  }

  /** A worker's own record that it reached its limit, and the master's step that took it in. */
  const recycleStep = (state: string) => (x: Rec) => x.event === 'step' && x.machine === 'master' && x.cause === 'WORKER_RECYCLE' && x.to === state;

  it('WORKER_RECYCLE while booting and while running: the replacement boots, then the worker is retired', async () => {
    // Worker 2 of the first generation takes 3 s to load: worker 1 reaches its limit meanwhile.
    const m = startCli(['--log-level', 'debug', '-w', '2', '-b', '127.0.0.1:0', '--max-requests', '2', 'staggered.mjs']);
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 1, { what: 'worker 1 ready' });
    for (let i = 0; i < 2; i++) await get(`${m.url()}/`);
    await m.waitFor(recycleStep('booting'), { what: 'the recycle request handled while booting' });
    await settle(m, 'serving.running');
    for (let n = 0; n < 20 && !m.records.some(recycleStep('serving.running')); n++) await get(`${m.url()}/`);
    await m.waitFor(recycleStep('serving.running'), { what: 'a recycle request handled while running' });
    await m.waitForCount((x) => x.msg === 'worker exited: retired', 2);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.graceful', 'halted']);
  });

  it('WORKER_RECYCLE while a new generation rolls out and while the configuration loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-model-'));
    const app = join(dir, 'app.mjs');
    writeFileSync(app, 'export default (req, res) => res.end(`hello from ${process.pid}\\n`);\n');
    const config = join(dir, 'statefork.config.mjs');
    const body = "export default { app: './app.mjs', bind: '127.0.0.1:0', workers: 1, maxRequests: 4 };\n";
    writeFileSync(config, body);
    const m = await startServing(['--log-level', 'debug'], { cwd: dir });
    // From now on every new worker boots, and then the configuration loads, only once the test
    // opens its gate: the requests and the recycle request land inside each phase however busy
    // the machine is.
    const gate = (name: string) => join(dir, name);
    const until = (name: string) =>
      `import { existsSync } from 'node:fs';\nwhile (!existsSync(${JSON.stringify(gate(name))})) await new Promise((r) => setTimeout(r, 20));\n`;
    writeFileSync(app, `${until('boot')}export default (req, res) => res.end(\`hello from \${process.pid}\\n\`);\n`);
    // Four requests reach --max-requests 4 on one worker; when a replacement shares the socket, a
    // few more are needed, so they go on (at most 40) until the recycle request is handled.
    const sendUntilRecycled = async (state: string, since: number) => {
      for (let i = 0; i < 40 && !m.records.slice(since).some(recycleStep(state)); i++) await get(`${m.url()}/`);
    };
    // The old worker reaches its limit while the new generation boots.
    let from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.rolling', from);
    await sendUntilRecycled('serving.reloading.rolling', from);
    await m.waitFor(recycleStep('serving.reloading.rolling'), { from, what: 'the recycle request handled while rolling' });
    writeFileSync(gate('boot'), '');
    await settle(m, 'serving.running', from);
    // The new worker (a fresh count) reaches its limit while the next configuration loads.
    writeFileSync(config, `${until('load')}${body}`);
    from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.configuring', from);
    await sendUntilRecycled('serving.reloading.configuring', from);
    await m.waitFor(recycleStep('serving.reloading.configuring'), { from, what: 'the recycle request handled while configuring' });
    writeFileSync(gate('load'), '');
    await settle(m, 'serving.running', from);
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'stopping.quick',
      'halted',
    ]);
  });

  // serving.handedOver, the one state left, is the hot upgrade's: model-paths.upgrade.test.ts.
  it("visits every state of the master machine but the hot upgrade's", () => {
    expect([...states].sort()).toEqual([
      'booting',
      'halted',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'serving.running',
      'stopping.graceful',
      'stopping.quick',
    ]);
  });
});
