/**
 * Hot upgrade (USR2) in the master machine: the old master's side (one upgrade at a time, WINCH
 * hands the traffic over, HUP or the new master's exit takes it back, --upgrade-auto) and the new
 * master's (tells the old one it is ready, is promoted once the old one is gone).
 */
import { describe, expect, it } from 'vitest';
import { drive, type Harness } from './harness.js';

const count = (h: Harness, type: string) => h.effects.filter((e) => e.type === type).length;
const closes = (h: Harness) => h.effects.filter((e) => e.type === 'closeListeners');

/** A serving master with a new master started by USR2, spawned as pid 4242 and, if asked, ready. */
function upgrading(settings: Parameters<typeof drive>[0] = {}, ready = true): Harness {
  const h = drive(settings).readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4242 });
  return ready ? h.send({ type: 'UPGRADE_READY' }) : h;
}

describe('master machine: USR2 in the old master', () => {
  it('starts one new master and remembers it; a second USR2 is logged and ignored', () => {
    const h = drive().readyAll().send({ type: 'USR2' });
    expect(count(h, 'startUpgrade')).toBe(1);
    expect(h.ctx().upgrade).toEqual({ pid: null, ready: false });
    h.send({ type: 'UPGRADE_SPAWNED', pid: 4242 }).send({ type: 'USR2' });
    expect(count(h, 'startUpgrade')).toBe(1);
    expect(h.ctx().upgrade).toEqual({ pid: 4242, ready: false });
    expect(h.logs(/USR2 ignored: an upgrade is already pending/)).toEqual([expect.objectContaining({ level: 'warn' })]);
    expect(h.logs(/^new master started/)).toEqual([expect.objectContaining({ level: 'info', fields: { newMasterPid: 4242 } })]);
    h.send({ type: 'UPGRADE_READY' }).send({ type: 'UPGRADE_READY' });
    expect(h.ctx().upgrade).toEqual({ pid: 4242, ready: true });
    expect(h.logs(/new master ready: WINCH then QUIT/)).toEqual([expect.objectContaining({ level: 'info', fields: { newMasterPid: 4242 } })]);
    expect(h.state()).toBe('serving.running');
    expect(h.signals()).toEqual([]);
  });

  it('ignores USR2 while the first generation boots and while stopping', () => {
    const h = drive().send({ type: 'USR2' });
    expect(h.logs(/USR2 ignored while the first generation boots/)).toHaveLength(1);
    h.readyAll().send({ type: 'TERM' }).send({ type: 'USR2' });
    expect(h.logs(/USR2 ignored: stopping/)).toHaveLength(1);
    expect(count(h, 'startUpgrade')).toBe(0);
  });

  it('may start an upgrade during a reload; WINCH then is ignored', () => {
    const h = drive().readyAll().send({ type: 'HUP' }).send({ type: 'USR2' }).send({ type: 'WINCH' });
    expect(count(h, 'startUpgrade')).toBe(1);
    expect(h.state()).toBe('serving.reloading.configuring');
    expect(h.logs(/WINCH ignored/)).toHaveLength(1);
  });

  it('a new master that exits before it is ready is a failed upgrade: serving on, USR2 allowed again', () => {
    const h = upgrading({}, false).send({ type: 'UPGRADE_EXIT', code: 4, signal: null });
    expect(h.ctx().upgrade).toBeNull();
    expect(h.logs(/upgrade failed/)[0]).toMatchObject({ level: 'error', fields: { newMasterPid: 4242, code: 4 } });
    expect(h.state()).toBe('serving.running');
    h.send({ type: 'USR2' });
    expect(count(h, 'startUpgrade')).toBe(2);
  });

  it('a new master that could not even start is a failed upgrade too', () => {
    const h = drive().readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: 'spawn ENOENT' });
    expect(h.logs(/upgrade failed/)[0]).toMatchObject({ fields: { reason: 'spawn ENOENT', newMasterPid: null } });
    expect(h.ctx().upgrade).toBeNull();
  });

  it('WINCH with a new master running retires every worker but keeps the sockets open', () => {
    for (const ready of [true, false]) {
      const h = upgrading({}, ready).send({ type: 'WINCH' });
      expect(h.state()).toBe('serving.handedOver');
      expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
      expect(h.workers().map((w) => w.cause)).toEqual(['handover', 'handover']);
      expect(closes(h)).toEqual([]);
      h.exit(1).tick().advance(5000).tick().send({ type: 'TTIN' }).send({ type: 'TTOU' }).send({ type: 'WORKER_RECYCLE', id: 2, reason: 'max-requests' });
      expect(h.spawned()).toHaveLength(2);
      expect(h.logs(/^TT(IN|OU) ignored: the workers were handed over/)).toHaveLength(2);
      expect(h.ctx().target).toBe(2);
      expect(h.logs(/worker exited: retired/)).toHaveLength(1);
    }
  });

  it('a worker still booting at WINCH is retired too, and its late ready changes nothing', () => {
    const h = upgrading().send({ type: 'TTIN' }).send({ type: 'WINCH' });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2, 3]);
    h.send({ type: 'WORKER_SPAWNED', id: 3, pid: 1003 }).send({ type: 'WORKER_READY', id: 3 });
    expect(h.workers().find((w) => w.id === 3)!.phase).toBe('draining');
  });

  it('QUIT after WINCH lets the retiring workers finish (a second QUIT cuts them short)', () => {
    for (const type of ['QUIT', 'INT'] as const) {
      const h = upgrading().send({ type: 'WINCH' }).send({ type });
      expect(h.state()).toBe('stopping.graceful');
      expect(h.logs(/retiring workers finish their requests/)).toEqual([expect.objectContaining({ level: 'info' })]);
      expect(h.signals('SIGQUIT')).toEqual([]);
      expect(closes(h)).toEqual([{ type: 'closeListeners', unlink: false }]);
      h.send({ type });
      expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([1, 2]);
    }
    const h = upgrading().send({ type: 'WINCH' }).send({ type: 'QUIT' }).exit(1).exit(2);
    expect(h.state()).toBe('halted');
    expect(h.actor.getSnapshot().output).toEqual({ exitCode: 0, reason: null });
  });

  it('HUP after WINCH rolls back: the workers start again, without re-reading the configuration', () => {
    const h = upgrading().send({ type: 'WINCH' }).send({ type: 'HUP' });
    expect(h.state()).toBe('serving.running');
    expect(h.spawned().map((s) => s.id)).toEqual([1, 2, 3, 4]);
    expect(h.spawned().map((s) => s.generation)).toEqual([1, 1, 1, 1]);
    expect(count(h, 'loadConfig')).toBe(0);
    expect(h.logs(/rolling back the upgrade/)).toHaveLength(1);
    // The new master is still there: TERM it and the old one serves on, upgrade over.
    h.readyAll().send({ type: 'UPGRADE_EXIT', code: 0, signal: null });
    expect(h.ctx().upgrade).toBeNull();
    expect(h.logs(/the new master exited: this master serves on/)[0]).toMatchObject({ level: 'warn' });
  });

  it('the new master exiting after WINCH brings the workers back by itself', () => {
    const h = upgrading().send({ type: 'WINCH' }).send({ type: 'UPGRADE_EXIT', code: null, signal: 'SIGKILL' });
    expect(h.state()).toBe('serving.running');
    expect(h.spawned()).toHaveLength(4);
    expect(h.logs(/workers restored/)[0]).toMatchObject({ level: 'error' });
    expect(h.ctx().upgrade).toBeNull();
  });

  it('TERM with a new master running stops gracefully, keeps unix socket files, and skips --drain-delay', () => {
    const h = upgrading({ drainDelayMs: 5000 }).send({ type: 'TERM' });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    expect(closes(h)).toEqual([{ type: 'closeListeners', unlink: false }]);
    expect(h.logs(/drain-delay/)).toEqual([]);
    h.send({ type: 'UPGRADE_READY' }).send({ type: 'UPGRADE_EXIT', code: 0, signal: null });
    expect(h.ctx().upgrade).toBeNull();
    expect(h.state()).toBe('stopping.graceful');
  });

  it('a master with no upgrade removes its unix socket files when it stops', () => {
    expect(closes(drive().readyAll().send({ type: 'QUIT' }))).toEqual([{ type: 'closeListeners', unlink: true }]);
    const failed = upgrading({}, false).send({ type: 'UPGRADE_EXIT', code: 1, signal: null }).send({ type: 'TERM' });
    expect(closes(failed)).toEqual([{ type: 'closeListeners', unlink: true }]);
  });
});

describe('master machine: --upgrade-auto', () => {
  it('stops gracefully once the new master is ready', () => {
    const h = upgrading({ upgradeAuto: true }, false);
    expect(h.state()).toBe('serving.running');
    h.send({ type: 'UPGRADE_READY' });
    expect(h.state()).toBe('stopping.graceful');
    expect(h.logs(/stops \(--upgrade-auto\)/)).toHaveLength(1);
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    expect(closes(h)).toEqual([{ type: 'closeListeners', unlink: false }]);
  });

  it('keeps serving when the new master fails to boot', () => {
    const h = upgrading({ upgradeAuto: true }, false).send({ type: 'UPGRADE_EXIT', code: 3, signal: null });
    expect(h.state()).toBe('serving.running');
    expect(h.signals()).toEqual([]);
  });

  it('stops from a reload or a handover too', () => {
    expect(upgrading({ upgradeAuto: true }, false).send({ type: 'HUP' }).send({ type: 'UPGRADE_READY' }).state()).toBe('stopping.graceful');
    expect(upgrading({ upgradeAuto: true }, false).send({ type: 'WINCH' }).send({ type: 'UPGRADE_READY' }).state()).toBe('stopping.graceful');
  });
});

describe('master machine: the new master of an upgrade', () => {
  it('tells the old master once its first generation is ready; a normal master tells nobody', () => {
    const h = drive({}, { upgradeFrom: 77 });
    expect(count(h, 'tellOldMaster')).toBe(0);
    h.readyAll();
    expect(h.state()).toBe('serving.running');
    expect(count(h, 'tellOldMaster')).toBe(1);
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: h.ctx().settings }).readyAll();
    expect(count(h, 'tellOldMaster')).toBe(1);
    expect(count(drive().readyAll(), 'tellOldMaster')).toBe(0);
  });

  it('ignores USR2 until it is promoted, then claims the pidfile and may upgrade itself', () => {
    const h = drive({}, { upgradeFrom: 77 }).readyAll().send({ type: 'USR2' });
    expect(h.logs(/USR2 ignored: this master is itself a pending upgrade/)).toHaveLength(1);
    expect(count(h, 'startUpgrade')).toBe(0);
    h.send({ type: 'PROMOTED' });
    expect(h.ctx().upgradeFrom).toBeNull();
    expect(count(h, 'claimPidfile')).toBe(1);
    expect(h.logs(/promoted/)[0]).toMatchObject({ level: 'info', fields: { oldMasterPid: 77 } });
    h.send({ type: 'PROMOTED' }).send({ type: 'USR2' });
    expect(count(h, 'claimPidfile')).toBe(1);
    expect(count(h, 'startUpgrade')).toBe(1);
  });

  it('keeps the unix socket files when stopped before it is promoted (a rollback), removes them after', () => {
    expect(closes(drive({}, { upgradeFrom: 77 }).readyAll().send({ type: 'TERM' }))).toEqual([{ type: 'closeListeners', unlink: false }]);
    expect(closes(drive({}, { upgradeFrom: 77 }).readyAll().send({ type: 'PROMOTED' }).send({ type: 'TERM' }))).toEqual([
      { type: 'closeListeners', unlink: true },
    ]);
  });

  it('a normal master ignores a stray PROMOTED, UPGRADE_READY or UPGRADE_EXIT', () => {
    const h = drive()
      .readyAll()
      .send({ type: 'PROMOTED' })
      .send({ type: 'UPGRADE_READY' })
      .send({ type: 'UPGRADE_SPAWNED', pid: 9 })
      .send({ type: 'UPGRADE_EXIT', code: 0, signal: null });
    expect(h.ctx().upgrade).toBeNull();
    expect(count(h, 'claimPidfile')).toBe(0);
    expect(h.effects.filter((e) => e.type === 'log' && /upgrade|promoted|new master/.test(e.msg))).toEqual([]);
    expect(h.actor.getSnapshot().status).toBe('active');
  });
});

describe('master machine: the hot upgrade in the log', () => {
  it('says each step at a level that fits it', () => {
    const h = drive().send({ type: 'USR2' }).readyAll().send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4242 }).send({ type: 'USR2' });
    h.send({ type: 'UPGRADE_READY' }).send({ type: 'WINCH' }).send({ type: 'TTIN' }).send({ type: 'TTOU' }).send({ type: 'HUP' });
    h.readyAll().send({ type: 'WINCH' }).send({ type: 'UPGRADE_EXIT', code: 0, signal: null }).readyAll();
    h.send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 4343 }).send({ type: 'UPGRADE_EXIT', code: 4, signal: null });
    h.send({ type: 'USR2' })
      .send({ type: 'UPGRADE_SPAWNED', pid: 4444 })
      .send({ type: 'UPGRADE_READY' })
      .send({ type: 'WINCH' })
      .send({ type: 'QUIT' })
      .send({ type: 'USR2' });
    const lines = h.effects.filter((e): e is Extract<typeof e, { type: 'log' }> => e.type === 'log' && !/^(worker|ready|graceful|listening)/.test(e.msg));
    expect(lines.map((l) => `${l.level} ${l.msg.split(/[:(]/)[0].trim()}`)).toEqual([
      'warn USR2 ignored while the first generation boots',
      'info USR2',
      'info new master started',
      'warn USR2 ignored',
      'info new master ready',
      'info WINCH',
      'warn TTIN ignored',
      'warn TTOU ignored',
      'info HUP',
      'info WINCH',
      'warn the new master exited',
      'error the new master exited',
      'info USR2',
      'info new master started',
      'error upgrade failed',
      'info USR2',
      'info new master started',
      'info new master ready',
      'info WINCH',
      'info stopping',
      'warn USR2 ignored',
    ]);
    const unpromoted = drive({}, { upgradeFrom: 7 }).readyAll().send({ type: 'USR2' }).send({ type: 'PROMOTED' });
    expect(unpromoted.logs(/USR2 ignored|promoted/).map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('after WINCH the master still watches its retiring workers: one past its deadline is killed', () => {
    const h = upgrading({ gracefulTimeoutMs: 5000 }).send({ type: 'WINCH' });
    h.advance(4000).tick();
    expect(h.signals('SIGKILL')).toEqual([]);
    h.advance(1001).tick();
    expect(h.signals('SIGKILL').map((s) => s.id)).toEqual([1, 2]);
    expect(h.state()).toBe('serving.handedOver');
  });
});
