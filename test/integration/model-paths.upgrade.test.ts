/**
 * Model-based tests, level 2, for the hot upgrade: the paths through serving.handedOver and the
 * new master's events (UPGRADE_SPAWNED, UPGRADE_READY, UPGRADE_EXIT) in every state the model
 * takes them in, run against the built CLI with real signals and a real second master.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isTransition, startServing, type Rec, type Running } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { appCopy, level2, sendEach, settle, slowReloadProject } from './model-paths.shared.js';

const { states, harvest } = level2('upgrade');

const msg = (re: RegExp, pid?: number) => (x: Rec) => re.test(x.msg ?? '') && (pid === undefined || x.pid === pid);
/** The master handled `cause` and stayed in (or went to) `state`. */
const handled = (m: Running, cause: string, state: string) => (x: Rec) => x.machine === 'master' && x.pid === m.pid && x.cause === cause && x.to === state;

/** USR2, and the new master's pid once it runs (killed when the test ends, whatever happens). */
async function usr2(m: Running, state = 'serving.running'): Promise<number> {
  const from = m.records.length;
  m.signal('SIGUSR2');
  await m.waitFor(handled(m, 'USR2', state), { from, what: `USR2 handled in ${state}` });
  const pid = (await m.waitFor(msg(/^new master started/, m.pid), { from })).newMasterPid as number;
  onTestFinished(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  });
  return pid;
}

const ready = (m: Running, from: number) => m.waitFor(msg(/^new master ready/, m.pid), { from, what: 'the new master to be ready' });

describe('master machine, model-based (level 2: hot upgrade)', () => {
  it('running → WINCH → handedOver → HUP → running → WINCH → handedOver → the new master dies → running → … → INT → graceful', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', appCopy()]);
    let from = m.records.length;
    const first = await usr2(m);
    await ready(m, from);
    m.signal('SIGWINCH');
    await settle(m, 'serving.handedOver', from);
    await m.waitFor(handled(m, 'WORKER_EXIT', 'serving.handedOver'), { from, what: 'the old worker to retire' });
    await m.waitFor(handled(m, 'TICK', 'serving.handedOver'), { from });
    await sendEach(m, ['TTIN', 'TTOU', 'USR1', 'USR2', 'WINCH'], 'serving.handedOver');
    expect(m.records.slice(from).filter((x) => x.event === 'spawned' && x.pid === m.pid)).toEqual([]);
    // Rolled back: workers again, then the new master goes and this one carries on.
    from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.running', from);
    await m.waitFor(msg(/^worker ready/, m.pid), { from });
    process.kill(first, 'SIGTERM');
    await m.waitFor(handled(m, 'UPGRADE_EXIT', 'serving.running'), { from });
    // The new master dies after WINCH: the workers come back by themselves.
    from = m.records.length;
    const second = await usr2(m);
    await ready(m, from);
    m.signal('SIGWINCH');
    await settle(m, 'serving.handedOver', from);
    process.kill(second, 'SIGKILL');
    await m.waitFor((x) => isTransition('master', 'serving.running')(x) && x.cause === 'UPGRADE_EXIT', { from });
    await m.waitFor(msg(/^worker ready/, m.pid), { from });
    expect((await get(`${m.url()}/`)).status).toBe(200);
    // WINCH before the new master is ready: its ready comes while handed over; with the old
    // worker gone, INT goes through the graceful stop straight to halted.
    from = m.records.length;
    await usr2(m);
    m.signal('SIGWINCH');
    await m.waitFor(handled(m, 'UPGRADE_READY', 'serving.handedOver'), { from, what: 'the new master ready while handed over' });
    await m.waitFor(msg(/^worker exited: retired/, m.pid), { from });
    m.signal('SIGINT');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.handedOver',
      'serving.running',
      'serving.handedOver',
      'serving.running',
      'serving.handedOver',
      'stopping.graceful',
      'halted',
    ]);
  });

  for (const [stop, busy] of [
    ['SIGTERM', true],
    ['SIGQUIT', true],
    ['SIGQUIT', false],
  ] as const) {
    it(`handedOver → ${stop} → graceful ${busy ? 'while the retiring worker finishes its request' : 'with no worker left: halted at once'}`, async () => {
      const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', appCopy()]);
      const from = m.records.length;
      await usr2(m);
      await ready(m, from);
      // A request in flight on the old worker when it is handed over.
      const slow = busy ? get(`${m.url()}/slow?ms=1500`) : null;
      if (busy) await m.waitFor((x) => x.app === 'request', { from });
      m.signal('SIGWINCH');
      await settle(m, 'serving.handedOver', from);
      if (!busy) await m.waitFor(msg(/^worker exited: retired/, m.pid), { from });
      m.signal(stop);
      if (slow) expect((await slow).status).toBe(200);
      expect((await m.exited).code).toBe(0);
      expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'serving.handedOver', 'stopping.graceful', 'halted']);
    });
  }

  it('the new master starts, gets ready and exits while the configuration loads', async () => {
    const { m } = await slowReloadProject(6000);
    const from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.configuring', from);
    const pid = await usr2(m, 'serving.reloading.configuring');
    await m.waitFor(handled(m, 'UPGRADE_SPAWNED', 'serving.reloading.configuring'), { from });
    await m.waitFor(handled(m, 'UPGRADE_READY', 'serving.reloading.configuring'), { from, what: 'the new master ready while configuring' });
    process.kill(pid, 'SIGTERM');
    await m.waitFor(handled(m, 'UPGRADE_EXIT', 'serving.reloading.configuring'), { from, what: 'the new master gone while configuring' });
    await settle(m, 'serving.running', from);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
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

  it('the new master gets ready and exits while a new generation rolls out', async () => {
    const app = join(mkdtempSync(join(tmpdir(), 'statefork-model-')), 'app.mjs');
    writeFileSync(app, "export default (q, s) => s.end('v1');\n");
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', app]);
    // From now on this master's new workers take 8 s to boot; the new master's boot at once.
    writeFileSync(app, `if (process.ppid === ${m.pid}) await new Promise((r) => setTimeout(r, 8000));\nexport default (q, s) => s.end('v2');\n`);
    const from = m.records.length;
    m.signal('SIGHUP');
    await settle(m, 'serving.reloading.rolling', from);
    const pid = await usr2(m, 'serving.reloading.rolling');
    await m.waitFor(handled(m, 'UPGRADE_READY', 'serving.reloading.rolling'), { from, what: 'the new master ready while rolling' });
    process.kill(pid, 'SIGTERM');
    await m.waitFor(handled(m, 'UPGRADE_EXIT', 'serving.reloading.rolling'), { from, what: 'the new master gone while rolling' });
    m.signal('SIGQUIT');
    expect((await m.exited).code).toBe(0);
    expect(harvest(m.records)).toEqual([
      'booting',
      'serving.running',
      'serving.reloading.configuring',
      'serving.reloading.rolling',
      'stopping.quick',
      'halted',
    ]);
  });

  it('the new master gets ready and exits while this one stops gracefully', async () => {
    const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', appCopy()]);
    const slow = get(`${m.url()}/slow?ms=20000`).catch((e) => e);
    await m.waitFor((x) => x.app === 'request');
    const from = m.records.length;
    const pid = await usr2(m);
    m.signal('SIGTERM');
    await m.waitFor(handled(m, 'UPGRADE_READY', 'stopping.graceful'), { from, what: 'the new master ready while stopping' });
    process.kill(pid, 'SIGTERM');
    await m.waitFor(handled(m, 'UPGRADE_EXIT', 'stopping.graceful'), { from });
    m.signal('SIGINT');
    expect((await m.exited).code).toBe(0);
    await slow;
    expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.graceful', 'stopping.quick', 'halted']);
  });

  it('the new master gets ready, and another exits, while this one stops quickly (a hung worker holds it 2 s)', async () => {
    for (const exits of [false, true]) {
      const m = await startServing(['--log-level', 'debug', '-w', '1', '-b', '127.0.0.1:0', '--timeout', '0', appCopy()]);
      get(`${m.url()}/hang`).catch(() => {});
      await m.waitFor((x) => x.app === 'request');
      const from = m.records.length;
      const pid = await usr2(m);
      if (exits) {
        await ready(m, from);
        m.signal('SIGINT');
        await settle(m, 'stopping.quick', from);
        process.kill(pid, 'SIGTERM');
        await m.waitFor(handled(m, 'UPGRADE_EXIT', 'stopping.quick'), { from, what: 'the new master gone while stopping quickly' });
      } else {
        // Once the new master's worker runs it is a few hundred ms from ready: well inside the 2 s.
        await m.waitFor((x) => x.pid === pid && x.event === 'spawned', { from });
        m.signal('SIGINT');
        await m.waitFor(handled(m, 'UPGRADE_READY', 'stopping.quick'), { from, what: 'the new master ready while stopping quickly' });
      }
      expect((await m.exited).code).toBe(0);
      expect(harvest(m.records)).toEqual(['booting', 'serving.running', 'stopping.quick', 'halted']);
    }
  });

  it("visits the hot upgrade's state", () => {
    expect(states).toContain('serving.handedOver');
  });
});
