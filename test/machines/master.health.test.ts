/**
 * The health endpoints' answers (machines/master.health.ts), read from the real master machine
 * driven through the moments an orchestrator cares about: the first boot, serving, a reload,
 * every worker gone, TERM during --drain-delay, a hot upgrade's handover, a stuck check.
 */
import { describe, expect, it } from 'vitest';
import { masterView } from '../../machines/master.facts.js';
import { LIVE_FLOOR_MS, LIVE_TICKS_MISSED, liveLimitMs, liveness, readiness, startup } from '../../machines/master.health.js';
import { drive, SETTINGS, type Harness } from './harness.js';

const view = (h: Harness) => masterView(h.actor.getSnapshot());
const ready = (h: Harness) => readiness(view(h));

describe('readiness', () => {
  it('503 while the first workers boot, 200 once one serves, with the counts and why', () => {
    const h = drive();
    expect(ready(h)).toEqual({
      ok: false,
      body: { status: 'unavailable', reason: 'the first workers are booting: 0 of 2 ready', state: 'booting', workers: { ready: 0, target: 2 }, generation: 1 },
    });
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 1001 }).send({ type: 'WORKER_READY', id: 1 });
    expect(ready(h).ok).toBe(false);
    h.readyAll();
    expect(ready(h)).toEqual({
      ok: true,
      body: { status: 'ok', reason: '2 of 2 workers ready', state: 'serving.running', workers: { ready: 2, target: 2 }, generation: 1 },
    });
  });

  it('a reload keeps it ready: the old workers serve until the new ones replace them', () => {
    const h = drive().readyAll().send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: SETTINGS });
    expect(view(h).reloading).toBe(true);
    expect(ready(h)).toMatchObject({ ok: true, body: { workers: { ready: 2, target: 2 }, generation: 2 } });
    h.readyAll();
    expect(ready(h)).toMatchObject({ ok: true, body: { generation: 2 } });
  });

  it('503 when no worker is ready (all crashed), 200 again once a replacement is', () => {
    const h = drive().readyAll().exit(1, null, 'SIGKILL').exit(2, null, 'SIGKILL');
    expect(ready(h)).toMatchObject({
      ok: false,
      body: { reason: 'no worker is ready (0 of 2): they are booting, crashed or backing off', workers: { ready: 0 } },
    });
    h.readyAll();
    expect(ready(h)).toMatchObject({ ok: true, body: { reason: '2 of 2 workers ready' } });
  });

  it('503 from the moment TERM arrives, though the workers serve on through --drain-delay', () => {
    const h = drive({ drainDelayMs: 5000 }).readyAll().send({ type: 'TERM' });
    expect(h.signals()).toEqual([]);
    expect(ready(h)).toMatchObject({ ok: false, body: { reason: 'the master is stopping: out of rotation while its workers finish', workers: { ready: 2 } } });
    for (const type of ['INT', 'QUIT'] as const) expect(ready(drive().readyAll().send({ type })).ok).toBe(false);
  });

  it('handed over (WINCH): ready while the new master is, through the stop after it; 503 while it is not, and once halted', () => {
    const h = drive().readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4242 }).send({ type: 'UPGRADE_READY' });
    expect(ready(h)).toMatchObject({ ok: true, body: { reason: '2 of 2 workers ready' } });
    h.send({ type: 'WINCH' });
    expect(view(h).handedOver).toBe(true);
    expect(ready(h)).toMatchObject({ ok: true, body: { reason: 'handed over: the new master (pid 4242) serves on the same sockets' } });
    h.send({ type: 'QUIT' });
    expect(view(h).stopping).toBe(true);
    expect(ready(h)).toMatchObject({ ok: true, body: { reason: 'handed over: the new master (pid 4242) serves on the same sockets' } });
    // The new master dies meanwhile: nobody serves on these sockets any more.
    h.send({ type: 'UPGRADE_EXIT', code: 1, signal: null });
    expect(ready(h)).toMatchObject({ ok: false, body: { reason: 'the master is stopping: out of rotation while its workers finish' } });
    const early = drive().readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4242 }).send({ type: 'WINCH' });
    expect(view(early).handedOver).toBe(true);
    expect(ready(early)).toMatchObject({ ok: false, body: { reason: 'handed over to a new master that is not ready yet: nobody serves' } });
    // A stop with a new master that is not ready yet takes this one out.
    expect(ready(drive().readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4242 }).send({ type: 'TERM' })).ok).toBe(false);
    const gone = drive().readyAll().send({ type: 'QUIT' }).exit(1).exit(2);
    expect(view(gone).halted).toBe(true);
    expect(ready(gone)).toMatchObject({ ok: false, body: { reason: 'the master has halted' } });
  });
});

describe('startup', () => {
  it('503 while the first workers boot, 200 once they served, and it stays so', () => {
    const h = drive();
    expect(startup(view(h), false)).toMatchObject({ ok: false, body: { status: 'unavailable', reason: 'the first workers are booting' } });
    h.readyAll().exit(1, null, 'SIGKILL').exit(2, null, 'SIGKILL');
    expect(startup(view(h), true)).toMatchObject({ ok: true, body: { status: 'ok', reason: 'the first workers served', workers: { ready: 0 } } });
  });

  it('503 for a first boot that failed: the master stops without having served', () => {
    const h = drive().send({ type: 'TERM' });
    expect(startup(view(h), false)).toMatchObject({ ok: false, body: { reason: 'the first workers never served: the master is stopping' } });
  });
});

describe('liveness', () => {
  it('200 while the check ran within the limit (strictly more fails), 503 with how long ago', () => {
    const v = view(drive().readyAll());
    expect(liveness(v, 5000, 1000)).toMatchObject({ ok: true, body: { status: 'ok', reason: 'the master runs its checks', state: 'serving.running' } });
    expect(liveness(v, 5000.4, 1000)).toMatchObject({
      ok: false,
      body: { status: 'unavailable', reason: "the master's periodic check last ran 5000 ms ago (limit 5000 ms): its event pipeline is stuck" },
    });
  });

  it('the limit: so many missed checks, never under the floor', () => {
    expect([LIVE_TICKS_MISSED, LIVE_FLOOR_MS]).toEqual([5, 5000]);
    expect(liveLimitMs(100)).toBe(5000);
    expect(liveLimitMs(1000)).toBe(5000);
    expect(liveLimitMs(1200)).toBe(6000);
  });
});
