import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childrenOf, eventually, isAlive, isTransition, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('master signals', () => {
  it('TTIN adds a worker and TTOU retires the oldest, as the process tree shows', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    expect(childrenOf(m.pid)).toHaveLength(2);
    const oldest = m.workerPids()[0];
    let from = m.records.length;
    m.signal('SIGTTIN');
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(childrenOf(m.pid)).toHaveLength(3);
    from = m.records.length;
    m.signal('SIGTTOU');
    await m.waitFor((x) => x.machine === 'master.worker' && x.to === 'exited', { from });
    await eventually(() => childrenOf(m.pid).length === 2, 5000, 'two workers left');
    expect(isAlive(oldest)).toBe(false);
  });

  it('TTOU never goes below one worker', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    m.signal('SIGTTOU');
    await m.waitFor((x) => /TTOU ignored/.test(x.msg ?? ''));
    expect(childrenOf(m.pid)).toHaveLength(1);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('USR1 reopens logs in the master and is forwarded to every worker', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--log-level', 'debug', 'hello.cjs']);
    const workers = m.workerPids();
    m.signal('SIGUSR1');
    await m.waitFor((x) => x.msg === 'log files reopened');
    await m.waitForCount((x) => x.msg === 'signalling worker' && x.signal === 'SIGUSR1', 2);
    // No worker started a debugger or died: they still serve.
    for (const pid of workers) expect(isAlive(pid)).toBe(true);
    expect(m.stderrText()).not.toMatch(/Debugger listening/);
  });

  it('WINCH with no upgrade pending (a terminal resize) is logged at debug and changes nothing', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--log-level', 'debug', 'hello.cjs']);
    const workers = m.workerPids();
    m.signal('SIGWINCH');
    expect(await m.waitFor((x) => /^WINCH ignored: no upgrade pending/.test(x.msg ?? ''))).toMatchObject({ level: 20 });
    expect(m.workerPids()).toEqual(workers);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('workers survive a stray HUP, TTIN, TTOU, WINCH or USR2 sent to them directly', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--log-level', 'debug', 'hello.cjs']);
    const [worker] = m.workerPids();
    for (const sig of ['SIGHUP', 'SIGTTIN', 'SIGTTOU', 'SIGWINCH', 'SIGUSR2'] as const) process.kill(worker, sig);
    await m.waitForCount((x) => x.role === 'worker' && x.msg === 'signal ignored by worker', 5);
    const state = readFileSync(`/proc/${worker}/stat`, 'utf8').split(') ')[1][0];
    expect(state).not.toBe('T'); // not stopped by TTIN/TTOU
    expect(m.workerPids()).toEqual([worker]);
    expect((await get(`${m.url()}/`)).body).toContain(`from ${worker}`);
  });

  it('HUP during a reload is queued and runs next, ending with two workers serving', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'hello.cjs']);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from });
    m.signal('SIGHUP');
    await m.waitFor((x) => /HUP during a reload: queued/.test(x.msg ?? ''), { from });
    await m.waitFor((x) => /starting the reload queued/.test(x.msg ?? ''), { from });
    await m.waitForCount(isTransition('master', 'serving.running'), 2, { from });
    await eventually(() => childrenOf(m.pid).length === 2, 10_000, 'two workers after the reloads');
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });
});
