/** Server hooks: each runs in the right process, at the right moment, with the right arguments. */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { APPS, eventually, isTransition, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

function project(config: string): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-hooks-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  writeFileSync(join(dir, 'statefork.config.mjs'), config);
  return { dir, log: join(dir, 'hooks.jsonl') };
}
const ran = (log: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l))
    : []; // complete lines only
const named = (log: string, name: string) => ran(log).filter((r) => r.name === name);

describe('server hooks', () => {
  it('master and worker hooks run at their moments, in their processes, with their arguments', async () => {
    const { dir, log } = project(readFileSync(new URL('../fixtures/hooks.config.mjs', import.meta.url), 'utf8'));
    const m = await startServing([], { cwd: dir, env: { HOOK_LOG: log } });
    const [w1, w2] = m.workerPids();
    await eventually(() => named(log, 'whenReady').length === 1, 5000, 'whenReady');
    expect(named(log, 'onStarting')).toEqual([{ name: 'onStarting', pid: m.pid, master: m.pid, state: 'starting' }]);
    expect(named(log, 'preFork').map((r) => [r.pid, r.id, r.generation])).toEqual([
      [m.pid, 1, 1],
      [m.pid, 2, 1],
    ]);
    expect(named(log, 'postFork').map((r) => [r.pid, r.id, r.workerPid])).toEqual([
      [m.pid, 1, w1],
      [m.pid, 2, w2],
    ]);
    expect(named(log, 'nworkersChanged').map((r) => [r.n, r.old])).toEqual([[2, null]]);
    expect(
      named(log, 'postWorkerInit')
        .map((r) => [r.pid, r.id])
        .sort(),
    ).toEqual(
      [
        [w1, 1],
        [w2, 2],
      ].sort(),
    );
    expect(named(log, 'whenReady')).toEqual([{ name: 'whenReady', pid: m.pid, ready: 2 }]);

    await get(`${m.url()}/x`);
    await eventually(() => named(log, 'postRequest').length === 1, 5000, 'postRequest');
    const [pre] = named(log, 'preRequest');
    expect([pre.url, [w1, w2].includes(pre.pid)]).toEqual(['/x', true]);
    expect(named(log, 'postRequest')).toEqual([{ name: 'postRequest', pid: pre.pid, id: pre.id, url: '/x', status: 200 }]);

    let from = m.records.length;
    m.signal('SIGTTIN');
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(named(log, 'nworkersChanged').map((r) => [r.n, r.old])).toEqual([
      [2, null],
      [3, 2],
    ]);

    process.kill(w1, 'SIGQUIT'); // a worker told to quit by hand: workerInt in it, childExit in the master
    await eventually(() => named(log, 'childExit').length === 1, 5000, 'childExit');
    expect(named(log, 'workerInt')).toEqual([{ name: 'workerInt', pid: w1, id: 1 }]);
    expect(named(log, 'childExit')).toEqual([{ name: 'childExit', pid: m.pid, id: 1, code: 0, signal: null }]);
    process.kill(w2, 'SIGABRT');
    await eventually(() => named(log, 'childExit').length === 2, 5000, 'the second childExit');
    expect(named(log, 'workerAbort')).toEqual([{ name: 'workerAbort', pid: w2, id: 2 }]);
    expect(named(log, 'childExit')[1]).toEqual({ name: 'childExit', pid: m.pid, id: 2, code: 1, signal: null });
    // Both replacements ready first: one retired by the reload while it still loads the config
    // file would exit before it knew its hooks, and miss its workerExit below (a CI flake).
    await m.waitForCount((x) => x.msg === 'worker ready', 5);

    from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    expect(named(log, 'onReload')).toEqual([{ name: 'onReload', pid: m.pid, state: 'serving.reloading.configuring' }]);

    const live = m.workerPids();
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(
      named(log, 'workerExit')
        .filter((r) => live.includes(r.pid))
        .map((r) => r.code),
    ).toEqual(live.map(() => 0));
    expect(named(log, 'onExit')).toEqual([{ name: 'onExit', pid: m.pid, code: 0 }]);
  });

  it('preExec runs in the old master just before USR2 starts the new one', async () => {
    const { dir, log } = project(readFileSync(new URL('../fixtures/hooks.config.mjs', import.meta.url), 'utf8'));
    const m = await startServing([], { cwd: dir, env: { HOOK_LOG: log } });
    expect(named(log, 'preExec')).toEqual([]);
    m.signal('SIGUSR2');
    const next = (await m.waitFor((x) => /^new master started/.test(x.msg ?? ''))).newMasterPid as number;
    onTestFinished(() => {
      try {
        process.kill(next, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    await eventually(() => named(log, 'onStarting').length === 2, 5000, 'the new master to start');
    const order = ran(log)
      .filter((r) => r.name === 'preExec' || r.name === 'onStarting')
      .map((r) => [r.name, r.pid]);
    expect(order).toEqual([
      ['onStarting', m.pid],
      ['preExec', m.pid],
      ['onStarting', next],
    ]);
    expect(named(log, 'preExec')).toEqual([{ name: 'preExec', pid: m.pid, state: 'serving.running' }]);
  });

  it('a hook that throws is logged with its name and changes nothing else', async () => {
    const { dir } = project(
      "export default { app: './app.cjs', bind: '127.0.0.1:0', workers: 1, whenReady() { throw new Error('oops'); }, preRequest: async () => { throw new Error('late'); } };\n",
    );
    const m = await startServing([], { cwd: dir });
    await m.waitFor((x) => x.hook === 'whenReady' && x.msg === 'hook whenReady failed: oops');
    expect((await get(`${m.url()}/`)).status).toBe(200);
    await m.waitFor((x) => x.hook === 'preRequest' && x.role === 'worker');
    expect(m.child.exitCode).toBeNull();
  });

  it('a hook that is not a function: exit 2', async () => {
    const { dir } = project("export default { app: './app.cjs', whenReady: 'yes' };\n");
    const { startCli } = await import('../helpers/cli.js');
    const r = startCli([], { cwd: dir });
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText()).toMatch(/^statefork: error: hook whenReady in config file .* is string; a hook must be a function \(sync or async\)\n$/);
  });
});
