/**
 * The master machine's answers to what the hardening issue found: races at the first boot (a HUP
 * that came too early, a sibling that cannot boot once the site serves), a worker that breaks the
 * IPC protocol, a fault in the master process itself, and the ceiling on the worker target.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../machines/exit-codes.js';
import { MAX_WORKERS, STABLE_MS } from '../../machines/master.context.js';
import { drive, SETTINGS } from './harness.js';

describe('master machine: races at the first boot', () => {
  it('a HUP while the first generation boots is queued: the reload starts once it serves', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'HUP' });
    expect(h.state()).toBe('booting');
    expect(h.ctx().reloadQueued).toBe(true);
    expect(h.logs(/HUP while the first generation boots: queued/).map((l) => l.level)).toEqual(['info']);
    expect(h.effects.filter((e) => e.type === 'loadConfig')).toEqual([]);
    h.readyAll();
    expect(h.state()).toBe('serving.reloading.configuring');
    expect(h.ctx().reloadQueued).toBe(false);
    expect(h.effects.filter((e) => e.type === 'loadConfig')).toHaveLength(1);
  });

  it('a sibling that cannot boot once a worker served: serving on with backoff, no halt', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 });
    expect(h.ctx().hasServed).toBe(true);
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).exit(2, EXIT.APP_LOAD_ERROR);
    expect(h.state()).toBe('serving.running');
    expect(h.signals()).toEqual([]); // worker 1 keeps serving
    expect(h.ctx().failures).toBe(1);
    expect(h.logs(/could not boot while another one serves/).map((l) => l.level)).toEqual(['warn']);
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]); // the first failure respawns at once
    h.send({ type: 'WORKER_SPAWNED', id: 3, pid: 13 }).exit(3, EXIT.WORKER_BOOT_ERROR);
    expect(h.state()).toBe('serving.running');
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]); // the second one waits 1 s
    h.advance(1000).tick();
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3, 4]);
    expect(h.actor.getSnapshot().status).toBe('active');
  });

  it('the same failure runs a HUP queued during the boot at once', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 }).send({ type: 'HUP' });
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).exit(2, EXIT.WORKER_BOOT_ERROR);
    expect(h.state()).toBe('serving.reloading.configuring');
    expect(h.ctx().reloadQueued).toBe(false);
  });

  it('a worker that served and crashed still leaves the master serving when a sibling then cannot boot', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 }).advance(STABLE_MS).exit(1, null, 'SIGKILL');
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).exit(2, EXIT.WORKER_BOOT_ERROR);
    expect(h.state()).toBe('serving.running');
  });

  it('nothing served yet: a boot failure still halts, with exit 3 or 4', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).exit(1, EXIT.APP_LOAD_ERROR);
    expect(h.state()).toBe('stopping.quick');
    expect(h.ctx().exitCode).toBe(EXIT.APP_LOAD_ERROR);
    const g = drive();
    g.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).exit(1, 1);
    expect(g.ctx().exitCode).toBe(EXIT.WORKER_BOOT_ERROR);
  });

  it('the new master of a hot upgrade halts on any first-generation boot failure: its old master serves on', () => {
    const h = drive({}, { upgradeFrom: 4242 });
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 });
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).exit(2, EXIT.APP_LOAD_ERROR);
    expect(h.state()).toBe('stopping.quick');
    expect(h.ctx().exitCode).toBe(EXIT.APP_LOAD_ERROR);
    expect(h.effects.filter((e) => e.type === 'tellOldMaster')).toEqual([]);
  });
});

describe('master machine: a worker that breaks the IPC protocol', () => {
  it('is killed at once with SIGKILL, logged with its id and reason, and replaced at once', () => {
    const h = drive()
      .readyAll()
      .advance(STABLE_MS * 2);
    h.send({ type: 'WORKER_PROTOCOL_ERROR', id: 1, reason: 'a line that is not JSON' });
    expect(h.signals()).toEqual([{ type: 'signal', id: 1, signal: 'SIGKILL' }]);
    expect(h.workers().find((w) => w.id === 1)).toMatchObject({
      phase: 'killed',
      cause: 'protocol',
      failure: 'broke the IPC protocol: a line that is not JSON',
    });
    const [log] = h.logs(/broke the IPC protocol/);
    expect(log).toMatchObject({ level: 'error', fields: { id: 1, workerPid: 1001, reason: 'a line that is not JSON', failures: 1 } });
    expect(h.ctx().failures).toBe(1); // its own doing: it counts for the backoff
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]);
    // A second complaint before the exit changes nothing: it is being killed already.
    h.send({ type: 'WORKER_PROTOCOL_ERROR', id: 1, reason: 'again' });
    expect(h.signals()).toHaveLength(1);
    h.exit(1, null, 'SIGKILL');
    expect(h.ctx().failures).toBe(1); // counted once
    expect(h.logs(/worker exited: crash/)[0].fields).toMatchObject({ reason: 'broke the IPC protocol: a line that is not JSON' });
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]);
    expect(h.state()).toBe('serving.running');
  });

  it('a worker that keeps breaking it is respawned with backoff, never in a tight loop', () => {
    const h = drive({ workers: 1 }).readyAll();
    h.send({ type: 'WORKER_PROTOCOL_ERROR', id: 1, reason: 'garbage' });
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2]); // the first failure: at once
    h.exit(1, null, 'SIGKILL').readyAll().send({ type: 'WORKER_PROTOCOL_ERROR', id: 2, reason: 'garbage' });
    expect(h.ctx().failures).toBe(2);
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2]); // the second waits 1 s
    h.exit(2, null, 'SIGKILL').advance(999).tick();
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2]);
    h.advance(1).tick();
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it('ignores a complaint about a worker it does not know', () => {
    const h = drive().readyAll();
    h.send({ type: 'WORKER_PROTOCOL_ERROR', id: 99, reason: 'garbage' });
    expect(h.signals()).toEqual([]);
    expect(h.logs(/broke the IPC protocol/)).toEqual([]);
  });

  it('while nothing has served, it is a boot failure that halts with exit 3 and says why', () => {
    const h = drive({ workers: 1 });
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_PROTOCOL_ERROR', id: 1, reason: 'a line over 65536 bytes' });
    h.exit(1, null, 'SIGKILL');
    // Its replacement was on its way; the halt quits it.
    expect(h.state()).toBe('stopping.quick');
    expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([2]);
    h.exit(2, 0);
    expect(h.actor.getSnapshot().output).toEqual({
      exitCode: EXIT.WORKER_BOOT_ERROR,
      reason: 'Worker failed to boot: broke the IPC protocol: a line over 65536 bytes',
    });
  });

  it('a draining worker that breaks it is killed too, and stays a retired worker', () => {
    const h = drive().readyAll().send({ type: 'TERM' });
    h.send({ type: 'WORKER_PROTOCOL_ERROR', id: 2, reason: 'garbage' });
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([2]);
    expect(h.workers().find((w) => w.id === 2)?.cause).toBe('stop');
    expect(h.spawned()).toHaveLength(2); // stopping: nothing is replaced
    h.exit(2, null, 'SIGKILL').exit(1, 0);
    expect(h.state()).toBe('halted');
  });
});

describe('master machine: a fault in the master process', () => {
  it('while serving: a graceful stop that ends with exit 1 and the reason', () => {
    const h = drive().readyAll().send({ type: 'FAULT', reason: 'TypeError: x is undefined' });
    expect(h.state()).toBe('stopping.graceful');
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    expect(h.logs(/master fault/).map((l) => [l.level, l.fields.reason])).toEqual([['fatal', 'TypeError: x is undefined']]);
    h.exit(1, 0).exit(2, 0);
    expect(h.actor.getSnapshot().output).toEqual({ exitCode: EXIT.FAILURE, reason: 'master fault: TypeError: x is undefined' });
  });

  it('while booting too, and while stopping it only marks the exit', () => {
    const b = drive().send({ type: 'FAULT', reason: 'boom' });
    expect(b.state()).toBe('stopping.graceful');
    const s = drive().readyAll().send({ type: 'QUIT' }).send({ type: 'FAULT', reason: 'boom' });
    expect(s.state()).toBe('stopping.quick');
    s.exit(1, 0).exit(2, 0);
    expect(s.actor.getSnapshot().output?.exitCode).toBe(EXIT.FAILURE);
  });

  it('keeps an exit code the stop already had', () => {
    const h = drive({ workers: 2 });
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).exit(1, EXIT.APP_LOAD_ERROR).send({ type: 'FAULT', reason: 'boom' });
    h.exit(2, 0);
    expect(h.actor.getSnapshot().output?.exitCode).toBe(EXIT.APP_LOAD_ERROR);
  });
});

describe('master machine: the worker ceiling (--max-workers)', () => {
  it(`defaults to ${MAX_WORKERS}`, () => {
    const h = drive({ workers: MAX_WORKERS - 1 });
    h.send({ type: 'TTIN' });
    expect(h.ctx().target).toBe(MAX_WORKERS);
    h.send({ type: 'TTIN' });
    expect(h.ctx().target).toBe(MAX_WORKERS);
  });

  it('TTIN at the ceiling is refused with a warning, in booting and serving alike', () => {
    const h = drive({ workers: 2, maxWorkers: 3 });
    h.send({ type: 'TTIN' }).send({ type: 'TTIN' });
    expect(h.ctx().target).toBe(3);
    expect(h.spawned()).toHaveLength(3);
    h.readyAll().send({ type: 'TTIN' });
    expect(h.ctx().target).toBe(3);
    expect(h.logs(/TTIN ignored: already at the most workers/).map((l) => l.level)).toEqual(['warn', 'warn']);
  });

  it('a reload that lowers the ceiling lowers the target with it', () => {
    const h = drive({ workers: 2, maxWorkers: 4 }).readyAll().send({ type: 'TTIN' }).send({ type: 'TTIN' }).readyAll();
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 2, maxWorkers: 3 } });
    expect(h.ctx().target).toBe(3);
  });
});

describe('master machine: what the mutation run asked for', () => {
  it('a worker retired while nothing has served yet (TTOU while booting) does not halt the master', () => {
    const h = drive({ workers: 2 });
    h.send({ type: 'TTIN' }).send({ type: 'TTOU' });
    const retired = h.signals('SIGTERM').map((s) => s.id);
    expect(retired).toHaveLength(1);
    h.exit(retired[0], 0);
    expect(h.state()).toBe('booting');
    expect(h.ctx().exitCode).toBe(0);
    h.readyAll();
    expect(h.state()).toBe('serving.running');
  });

  it('a booting worker that broke the protocol counts once, at its dismissal, not again at its exit', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 });
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).send({ type: 'WORKER_PROTOCOL_ERROR', id: 2, reason: 'garbage' });
    expect(h.ctx().failures).toBe(1);
    h.exit(2, null, 'SIGKILL');
    expect(h.state()).toBe('serving.running');
    expect(h.ctx().failures).toBe(1);
  });

  it('a new worker that crashes during a reload is replaced at once', () => {
    const h = drive().readyAll().send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: SETTINGS });
    const [three] = h.workers().filter((w) => w.generation === 2);
    h.send({ type: 'WORKER_SPAWNED', id: three.id, pid: 13 }).send({ type: 'WORKER_READY', id: three.id }).advance(STABLE_MS).exit(three.id, null, 'SIGKILL');
    expect(h.state()).toBe('serving.reloading.rolling');
    expect(h.spawned().filter((s) => s.generation === 2)).toHaveLength(3);
  });
});

describe('master machine: which workers yield the CPU as they boot', () => {
  it('those that boot while the ones they replace still serve (a reload, a recycle); not the first generation, a TTIN, or a replacement for a crash', () => {
    const h = drive().readyAll();
    expect(h.spawned().map((s) => s.yieldCpu ?? false)).toEqual([false, false]);
    h.send({ type: 'TTIN' });
    expect(h.spawned().at(-1)?.yieldCpu).toBeUndefined();
    h.readyAll().advance(STABLE_MS).exit(3, null, 'SIGKILL');
    expect(h.spawned().at(-1)).toEqual({ type: 'spawn', id: 4, generation: 1 });
    h.readyAll()
      .send({ type: 'HUP' })
      .send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 3 } });
    expect(
      h
        .spawned()
        .slice(-3)
        .map((s) => s.yieldCpu),
    ).toEqual([true, true, true]);
  });
});
