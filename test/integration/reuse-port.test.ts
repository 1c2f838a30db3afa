/**
 * --reuse-port, for real: on Node 22 (the node-22 binary the tests carry) every worker listens
 * on its own SO_REUSEPORT socket and the master on none.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServing, type Running } from '../helpers/cli.js';
import { freePort, get, pidOf } from '../helpers/http.js';

const NODE_22 = fileURLToPath(new URL('../../node_modules/node-22/bin/node', import.meta.url));

/** The pids that hold a listening socket on the port, from the kernel (ss). */
function listeners(port: number): number[] {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])).sort();
}

describe('--reuse-port', () => {
  it('on Node 22.12+: every worker has its own listening socket, the master none, through a HUP', async () => {
    const port = await freePort();
    const m: Running = await startServing(['--reuse-port', '-w', '2', '-b', `127.0.0.1:${port}`, 'hello.cjs'], { node: NODE_22 });
    expect(listeners(port)).toEqual([...m.workerPids()].sort());
    const answered = new Set<number>();
    for (let i = 0; i < 40 && answered.size < 2; i++) answered.add(pidOf((await get(`http://127.0.0.1:${port}/`)).body));
    expect([...answered].sort()).toEqual([...m.workerPids()].sort());
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((r) => /^reload complete/.test(r.msg ?? ''), { from });
    await m.waitForCount((r) => r.machine === 'master.worker' && r.to === 'exited', 2, { from });
    expect(listeners(port)).toEqual([...m.workerPids()].sort());
    expect(listeners(port)).not.toContain(m.pid);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it("a hot upgrade: the new master's workers bind the port beside the old ones, then alone", async () => {
    const port = await freePort();
    const m = await startServing(['--reuse-port', '-w', '1', '-b', `127.0.0.1:${port}`, 'hello.cjs'], { node: NODE_22 });
    const old = m.workerPids();
    m.signal('SIGUSR2');
    const next = (await m.waitFor((r) => /^new master started/.test(r.msg ?? ''))).newMasterPid as number;
    onTestFinished(() => {
      try {
        process.kill(next, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    await m.waitFor((r) => /^new master ready/.test(r.msg ?? ''));
    const fresh = m.records.filter((r) => r.pid === next && r.event === 'spawned').map((r) => r.workerPid as number);
    expect(listeners(port)).toEqual([...old, ...fresh].sort());
    m.signal('SIGWINCH');
    // Not both at once: pending signals arrive lowest number first, QUIT (3) before WINCH (28).
    await m.waitFor((r) => r.to === 'serving.handedOver' && r.pid === m.pid);
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    expect(listeners(port)).toEqual(fresh.sort());
    expect(fresh).toContain(pidOf((await get(`http://127.0.0.1:${port}/`)).body));
  });
});
