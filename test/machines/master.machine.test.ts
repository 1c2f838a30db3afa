import { describe, expect, it } from 'vitest';
import { EXIT } from '../../machines/exit-codes.js';
import { backoffDelay, STABLE_MS } from '../../machines/master.context.js';
import { drive, SETTINGS } from './harness.js';

describe('master machine: booting', () => {
  it('spawns the first generation at start and serves once every worker is ready', () => {
    const h = drive();
    expect(h.state()).toBe('booting');
    expect(h.spawned()).toEqual([
      { type: 'spawn', id: 1, generation: 1 },
      { type: 'spawn', id: 2, generation: 1 },
    ]);
    expect(h.workers().map((w) => w.phase)).toEqual(['spawning', 'spawning']);
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 });
    expect(h.workers().map((w) => [w.phase, w.pid])).toEqual([
      ['booting', 11],
      ['spawning', null],
    ]);
    h.send({ type: 'WORKER_READY', id: 1 });
    expect(h.state()).toBe('booting');
    h.send({ type: 'WORKER_READY', id: 2 });
    expect(h.state()).toBe('serving.running');
    expect(h.workers().map((w) => w.phase)).toEqual(['ready', 'ready']);
  });

  it('halts with exit 4 when a first-generation worker cannot load the app, quitting the others', () => {
    const h = drive();
    h.send({ type: 'WORKER_FAILED', id: 1, reason: 'boom' }).exit(1, EXIT.APP_LOAD_ERROR);
    expect(h.state()).toBe('stopping.quick');
    expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([2]);
    h.exit(2, 0);
    expect(h.state()).toBe('halted');
    expect(h.actor.getSnapshot().output).toEqual({ exitCode: 4, reason: 'App failed to load: boom' });
  });

  it('halts with exit 3 when a first-generation worker exits before it is ready', () => {
    const h = drive({ workers: 1 });
    h.exit(1, 1);
    expect(h.state()).toBe('halted');
    expect(h.actor.getSnapshot().output).toEqual({ exitCode: 3, reason: 'Worker failed to boot: exited with code 1 before it was ready' });
  });

  it('kills a worker not ready within the boot timeout, and that halts the first generation with exit 3', () => {
    const h = drive({ workers: 1, bootTimeoutMs: 5000 });
    h.advance(5000).tick();
    expect(h.signals()).toEqual([]);
    h.advance(1).tick();
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([1]);
    expect(h.logs(/boot timeout/)).toHaveLength(1);
    // A replacement was already on its way; halting quits it.
    h.exit(1, null, 'SIGKILL');
    expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([2]);
    h.exit(2, 0);
    expect(h.actor.getSnapshot().output?.exitCode).toBe(EXIT.WORKER_BOOT_ERROR);
    expect(h.actor.getSnapshot().output?.reason).toMatch(/not ready within 5 s/);
  });

  it('replaces a ready first-generation worker that crashes while the others still boot', () => {
    const h = drive();
    h.send({ type: 'WORKER_READY', id: 1 }).exit(1, 1);
    expect(h.state()).toBe('booting');
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it('TERM while booting stops gracefully, INT or QUIT quickly, and a worker still booting is told to go', () => {
    const g = drive().send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'TERM' });
    expect(g.state()).toBe('stopping.graceful');
    expect(g.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    g.send({ type: 'WORKER_READY', id: 1 }); // it was already loaded: harmless now
    expect(g.workers()[0].phase).toBe('draining');
    for (const type of ['INT', 'QUIT'] as const) {
      const q = drive().send({ type });
      expect(q.state()).toBe('stopping.quick');
      expect(q.signals('SIGQUIT').map((s) => s.id)).toEqual([1, 2]);
    }
  });

  it('accepts TTIN/TTOU while booting and queues HUP for once it serves', () => {
    const h = drive();
    h.send({ type: 'TTIN' });
    expect(h.spawned()).toHaveLength(3);
    h.send({ type: 'HUP' });
    expect(h.logs(/HUP while the first generation boots: queued/)).toHaveLength(1);
    expect(h.state()).toBe('booting');
    expect(h.ctx().reloadQueued).toBe(true);
  });
});

describe('master machine: scaling', () => {
  it('TTOU retires a worker still booting before a ready one', () => {
    const h = drive().readyAll();
    h.send({ type: 'TTIN' }).send({ type: 'TTOU' });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([3]);
    expect(
      h
        .workers()
        .filter((w) => w.phase === 'ready')
        .map((w) => w.id),
    ).toEqual([1, 2]);
  });

  it('TTIN spawns one more; TTOU retires the oldest gracefully, never below one', () => {
    const h = drive().readyAll();
    h.send({ type: 'TTIN' });
    expect(h.spawned().at(-1)).toEqual({ type: 'spawn', id: 3, generation: 1 });
    h.readyAll().send({ type: 'TTOU' });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1]);
    expect(h.ctx().target).toBe(2);
    h.exit(1).send({ type: 'TTOU' });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    h.exit(2).send({ type: 'TTOU' });
    expect(h.ctx().target).toBe(1);
    expect(h.logs(/TTOU ignored/)).toHaveLength(1);
    expect(h.workers().map((w) => w.id)).toEqual([3]);
  });
});

describe('master machine: reload (HUP)', () => {
  const loaded = (workers = SETTINGS.workers) => ({ type: 'CONFIG_LOADED' as const, settings: { ...SETTINGS, workers } });

  it('spawns a full new generation and retires an old worker only as each new one is ready', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' });
    expect(h.state()).toBe('serving.reloading.configuring');
    expect(h.effects.filter((e) => e.type === 'loadConfig')).toHaveLength(1);
    h.send(loaded());
    expect(h.state()).toBe('serving.reloading.rolling');
    expect(h.spawned().slice(2)).toEqual([
      { type: 'spawn', id: 3, generation: 2, yieldCpu: true },
      { type: 'spawn', id: 4, generation: 2, yieldCpu: true },
    ]);
    expect(h.signals()).toEqual([]);
    h.send({ type: 'WORKER_READY', id: 3 });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1]);
    h.send({ type: 'WORKER_READY', id: 4 });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    expect(h.state()).toBe('serving.running');
    expect(h.logs(/reload complete/)).toHaveLength(1);
  });

  it('never has fewer ready workers than the target while the new generation boots', () => {
    const h = drive({ workers: 3 }).readyAll();
    h.send({ type: 'HUP' }).send(loaded(3));
    for (const id of [4, 5, 6]) {
      h.send({ type: 'WORKER_READY', id });
      expect(h.workers().filter((w) => w.phase === 'ready').length).toBeGreaterThanOrEqual(3);
    }
  });

  it('abandons the reload when a new worker fails to boot: old workers stay, the rest of the new ones are retired', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' }).send(loaded());
    h.exit(3, EXIT.APP_LOAD_ERROR);
    expect(h.state()).toBe('serving.running');
    expect(h.logs(/reload abandoned/)).toEqual([expect.objectContaining({ level: 'error', fields: { generation: 2 } })]);
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([4]);
    expect(h.ctx().generation).toBe(1);
    expect(
      h
        .workers()
        .filter((w) => w.phase === 'ready')
        .map((w) => w.id),
    ).toEqual([1, 2]);
  });

  it('a new worker that crashes after it was ready does not abandon the reload', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' }).send(loaded());
    h.send({ type: 'WORKER_READY', id: 3 }).advance(STABLE_MS).exit(3, 1);
    expect(h.state()).toBe('serving.reloading.rolling');
    expect(h.logs(/reload abandoned/)).toHaveLength(0);
  });

  it('a boot failure of an old-generation worker does not abandon the reload', () => {
    const h = drive().readyAll();
    h.exit(1, 1); // an old worker crashes: its replacement (generation 1) boots
    h.send({ type: 'HUP' }).send(loaded());
    const oldReplacement = h.workers().find((w) => w.generation === 1 && w.phase !== 'ready')!;
    h.exit(oldReplacement.id, 3);
    expect(h.state()).toBe('serving.reloading.rolling');
    expect(h.logs(/reload abandoned/)).toHaveLength(0);
    h.exit(h.workers().find((w) => w.generation === 2)!.id, 3); // a new one: abandoned
    expect(h.logs(/reload abandoned/)).toHaveLength(1);
  });

  it('keeps running on the old configuration when the new one does not load', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_FAILED', reason: 'bad value' });
    expect(h.state()).toBe('serving.running');
    expect(h.logs(/configuration did not load/)).toHaveLength(1);
    expect(h.spawned()).toHaveLength(2);
  });

  it('keeps TTIN/TTOU adjustments across a reload unless --workers changed', () => {
    const h = drive().readyAll();
    h.send({ type: 'TTIN' }).readyAll().send({ type: 'HUP' }).send(loaded());
    expect(h.ctx().target).toBe(3);
    h.readyAll().send({ type: 'HUP' }).send(loaded(5));
    expect(h.ctx().target).toBe(5);
  });

  it('a HUP during a reload is queued: the next generation starts once this one is up, one at a time', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' }).send(loaded()).send({ type: 'HUP' }).send({ type: 'HUP' });
    expect(h.state()).toBe('serving.reloading.rolling');
    expect(h.spawned()).toHaveLength(4); // no third generation yet
    h.readyAll();
    expect(h.state()).toBe('serving.reloading.configuring'); // generation 2 is up: the queued reload starts
    h.send(loaded());
    expect(h.ctx().generation).toBe(3);
    h.readyAll();
    expect(h.state()).toBe('serving.running');
    expect(h.ctx().reloadQueued).toBe(false);
    expect(
      h
        .workers()
        .filter((w) => w.phase === 'ready')
        .every((w) => w.generation === 3),
    ).toBe(true);
  });
});

describe('master machine: crashes and backoff after start-up', () => {
  it('never halts on a boot failure after start-up, and backs off 0, 1 s, 2 s, 4 s ...', () => {
    const h = drive({ workers: 1 }).readyAll();
    h.advance(STABLE_MS * 2).exit(1, 1); // an old worker crashes: not a young crash
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2]);
    h.exit(2, EXIT.APP_LOAD_ERROR); // failure 1: respawn at once
    expect(h.spawned()).toHaveLength(3);
    h.exit(3, EXIT.APP_LOAD_ERROR); // failure 2: wait 1 s
    expect(h.spawned()).toHaveLength(3);
    expect(h.state()).toBe('serving.running');
    h.advance(backoffDelay(2) - 1).tick();
    expect(h.spawned()).toHaveLength(3);
    h.advance(1).tick();
    expect(h.spawned()).toHaveLength(4);
    expect([backoffDelay(1), backoffDelay(2), backoffDelay(3), backoffDelay(4), backoffDelay(20)]).toEqual([0, 1000, 2000, 4000, 30_000]);
  });

  it('counts a young crash only when the worker died of itself, not when killed from outside', () => {
    const h = drive({ workers: 1 }).readyAll();
    h.exit(1, null, 'SIGKILL');
    expect(h.ctx().failures).toBe(0);
    h.readyAll().exit(2, null, 'SIGSEGV');
    expect(h.ctx().failures).toBe(1);
    h.readyAll().exit(3, 0);
    expect(h.ctx().failures).toBe(1);
  });

  it('forgives the failures once a worker spawned after them stays ready for a while', () => {
    const h = drive({ workers: 1 }).readyAll();
    h.exit(1, 1); // young crash
    expect(h.ctx().failures).toBe(1);
    h.readyAll().advance(STABLE_MS).tick();
    expect(h.ctx().failures).toBe(0);
  });
});

describe('master machine: what it logs about workers', () => {
  it('logs each exit at a level that says how bad it is, with its reason and failure count', () => {
    const h = drive({ workers: 3 }).readyAll();
    h.send({ type: 'TTOU' }).exit(1, 0); // retired
    h.advance(STABLE_MS).exit(2, null, 'SIGKILL'); // crash, killed from outside: no failure
    h.send({ type: 'WORKER_FAILED', id: 4, reason: 'port in use' }).exit(4, 3); // the replacement fails to boot
    const exits = h.logs(/^worker exited/).map((l) => [l.msg, l.level, l.fields.reason, l.fields.failures]);
    expect(exits).toEqual([
      ['worker exited: retired', 'info', undefined, undefined],
      ['worker exited: crash', 'error', undefined, undefined],
      ['worker exited: boot-failure', 'error', 'port in use', 1],
    ]);
  });

  it('a failure reason belongs to the worker that reported it', () => {
    // Nothing served yet: the halt's reason is worker 2's, not worker 1's.
    const h = drive();
    h.send({ type: 'WORKER_FAILED', id: 1, reason: 'mine' }).send({ type: 'TTIN' });
    h.exit(2, 3).exit(1, 0).exit(3, 0);
    expect(h.actor.getSnapshot().output?.reason).toBe('Worker failed to boot: exited with code 3 before it was ready');
    // Once workers 1 and 3 served, worker 2's failure is logged, with no reason of another's.
    const s = drive();
    s.send({ type: 'WORKER_FAILED', id: 1, reason: 'mine' }).send({ type: 'TTIN' });
    s.send({ type: 'WORKER_READY', id: 1 }).send({ type: 'WORKER_READY', id: 3 }).exit(2, 3);
    expect(s.logs(/worker exited: boot-failure/).map((l) => [l.fields.id, l.fields.reason])).toEqual([[2, undefined]]);
  });

  it('a heartbeat timeout exit is a warning', () => {
    const h = drive({ workers: 1, timeoutMs: 1000 }).readyAll();
    h.advance(1001).tick([1]);
    h.exit(1, 1);
    expect(h.logs(/^worker exited/).map((l) => [l.msg, l.level])).toEqual([['worker exited: timeout', 'warn']]);
  });

  it('logs a ready worker with its boot time, and the end of the backoff', () => {
    const h = drive({ workers: 1 });
    h.advance(1000).send({ type: 'TTIN' }).send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).advance(250).send({ type: 'WORKER_READY', id: 2 });
    expect(h.logs(/^worker ready$/).map((l) => [l.level, l.fields.bootMs, l.fields.workerPid])).toEqual([['info', 250, 12]]);
    h.readyAll().exit(2, 0).readyAll();
    h.exit(1, 1).readyAll().advance(STABLE_MS).tick();
    expect(h.logs(/stable again/).map((l) => l.level)).toEqual(['info']);
    expect(h.ctx().failures).toBe(0);
  });

  it('a worker killed for a heartbeat timeout is not a failed boot, even right after boot', () => {
    const h = drive({ workers: 1, timeoutMs: 1000 }).readyAll();
    h.advance(1001).tick([1]).advance(1).tick([1]);
    h.exit(1, null, 'SIGKILL');
    expect(h.ctx().failures).toBe(0);
  });

  it('logs every decision at a level that fits it', () => {
    const h = drive({ workers: 1 });
    h.send({ type: 'HUP' })
      .readyAll()
      .send({ type: 'CONFIG_FAILED', reason: 'x' })
      .send({ type: 'WINCH' })
      .send({ type: 'USR2' })
      .send({ type: 'TTOU' })
      .send({ type: 'TTIN' })
      .send({ type: 'TTOU' });
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_FAILED', reason: 'x' });
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: SETTINGS }).send({ type: 'HUP' }).readyAll();
    h.send({ type: 'CONFIG_LOADED', settings: SETTINGS }).exit(h.workers().find((w) => w.phase !== 'ready' && w.phase !== 'draining')!.id, 3);
    h.send({ type: 'TERM' }).send({ type: 'HUP' }).send({ type: 'TTIN' }).send({ type: 'TTOU' }).send({ type: 'TERM' }).send({ type: 'INT' });
    h.send({ type: 'TERM' }).send({ type: 'INT' }).send({ type: 'QUIT' });
    const levels = h.effects
      .filter((e): e is Extract<typeof e, { type: 'log' }> => e.type === 'log' && !/^worker (exited|ready)/.test(e.msg))
      .map((l) => `${l.level} ${l.msg.split(':')[0]}`);
    expect(levels).toEqual([
      'info HUP while the first generation boots',
      'info ready',
      'info starting the reload queued before',
      'error reload failed',
      'debug WINCH ignored',
      'info USR2',
      'warn TTOU ignored',
      'info TTIN',
      'info TTOU',
      'info HUP',
      'error reload failed',
      'info HUP',
      'info HUP during a reload',
      'info reload complete',
      'info starting the reload queued before',
      'error reload abandoned',
      'info graceful stop',
      'warn HUP ignored',
      'warn TTIN ignored',
      'warn TTOU ignored',
      'info TERM ignored',
      'info quick stop',
      'info TERM ignored',
      'info INT ignored',
      'info QUIT ignored',
    ]);
  });

  it('a crash counts as a failed boot only within STABLE_MS of becoming ready', () => {
    const h = drive({ workers: 1 }).readyAll();
    h.advance(STABLE_MS).exit(1, 1);
    expect(h.ctx().failures).toBe(0);
    h.readyAll()
      .advance(STABLE_MS - 1)
      .exit(2, 1);
    expect(h.ctx().failures).toBe(1);
  });
});

describe('master machine: heartbeat', () => {
  it('aborts a worker whose heartbeat is silent past the timeout, and kills it on the next tick', () => {
    const h = drive({ timeoutMs: 2000 }).readyAll();
    h.advance(1000).tick();
    h.advance(1000).tick([1]);
    expect(h.signals()).toEqual([]);
    h.advance(1001).tick([1]);
    expect(h.signals()).toEqual([{ type: 'signal', id: 1, signal: 'SIGABRT' }]);
    expect(h.logs(/worker timeout/)).toHaveLength(1);
    h.advance(1000).tick([1]);
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([1]);
    h.exit(1, null, 'SIGKILL');
    expect(h.logs(/worker exited: timeout/)).toHaveLength(1);
    expect(h.spawned()).toHaveLength(3);
  });

  it('timeout 0 disables the check', () => {
    const h = drive({ timeoutMs: 0 }).readyAll();
    h.advance(10 * 60_000).tick([1, 2]);
    expect(h.signals()).toEqual([]);
  });
});

describe('master machine: stopping', () => {
  it('TERM closes the sockets, sends TERM to every worker, SIGKILLs them after the graceful timeout, and halts with 0', () => {
    const h = drive({ gracefulTimeoutMs: 5000 }).readyAll();
    h.send({ type: 'TERM' });
    expect(h.state()).toBe('stopping.graceful');
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    h.exit(1);
    h.advance(5001).tick();
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([2]);
    h.exit(2, null, 'SIGKILL');
    expect(h.state()).toBe('halted');
    expect(h.actor.getSnapshot().output).toEqual({ exitCode: 0, reason: null });
  });

  it('INT during a graceful stop escalates to quick', () => {
    const h = drive().readyAll();
    h.send({ type: 'TERM' }).send({ type: 'INT' });
    expect(h.state()).toBe('stopping.quick');
  });

  it('INT or QUIT during a graceful stop escalates to quick; a second TERM is ignored', () => {
    const h = drive().readyAll();
    h.send({ type: 'TERM' }).send({ type: 'TERM' });
    expect(h.logs(/TERM ignored/)).toHaveLength(1);
    h.send({ type: 'QUIT' });
    expect(h.state()).toBe('stopping.quick');
    expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([1, 2]);
  });

  it('a quick stop ignores further TERM, INT and QUIT', () => {
    const h = drive().readyAll();
    h.send({ type: 'QUIT' }).send({ type: 'TERM' }).send({ type: 'INT' }).send({ type: 'QUIT' });
    expect(h.state()).toBe('stopping.quick');
    expect(h.logs(/ignored: already stopping quickly/)).toHaveLength(3);
    expect(h.signals('SIGQUIT')).toHaveLength(2);
  });

  it('a quick stop gives workers 2 s after QUIT before SIGKILL', () => {
    const h = drive().readyAll();
    h.send({ type: 'INT' }).advance(2001).tick();
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([1, 2]);
  });

  it('ignores HUP, TTIN and TTOU while stopping, and spawns nothing more', () => {
    const h = drive().readyAll();
    h.send({ type: 'TERM' }).send({ type: 'HUP' }).send({ type: 'TTIN' }).send({ type: 'TTOU' }).exit(1, 1).tick();
    expect(h.spawned()).toHaveLength(2);
    expect(h.logs(/ignored: stopping/)).toHaveLength(3);
  });
});

describe('master machine: other signals', () => {
  it('USR1 reopens the logs and forwards USR1 to every worker', () => {
    const h = drive().readyAll();
    h.send({ type: 'USR1' });
    expect(h.effects.filter((e) => e.type === 'reopenLogs')).toHaveLength(1);
    expect(h.signals('SIGUSR1').map((s) => s.id)).toEqual([1, 2]);
  });

  it('USR1 reaches a worker that is still booting only once it is ready (USR1 could kill it earlier)', () => {
    const h = drive().readyAll();
    h.send({ type: 'TTIN' }).send({ type: 'USR1' });
    expect(h.signals('SIGUSR1').map((s) => s.id)).toEqual([1, 2]);
    h.send({ type: 'WORKER_SPAWNED', id: 3, pid: 13 }).send({ type: 'WORKER_READY', id: 3 });
    expect(h.signals('SIGUSR1').map((s) => s.id)).toEqual([1, 2, 3]);
    h.send({ type: 'TTIN' }).readyAll();
    expect(h.signals('SIGUSR1')).toHaveLength(3);
  });

  it('WINCH without an upgrade pending is ignored, with no effect on workers', () => {
    const h = drive().readyAll();
    h.send({ type: 'WINCH' });
    expect(h.signals()).toEqual([]);
    expect(h.state()).toBe('serving.running');
    expect(h.logs(/WINCH ignored/)).toHaveLength(1);
  });

  it('ignores events about workers it does not know', () => {
    const h = drive().readyAll();
    h.exit(99, 1).send({ type: 'WORKER_READY', id: 99 }).send({ type: 'WORKER_READY', id: 1 });
    expect(h.actor.getSnapshot().status).toBe('active');
    expect(h.logs(/^worker ready$/)).toHaveLength(2); // a second ready from worker 1 is not news
    expect(h.workers()).toHaveLength(2);
    expect(h.spawned()).toHaveLength(2);
  });
});
