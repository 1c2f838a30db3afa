/**
 * What the master machine tells its observers (machines/master.facts.ts): the tags of each
 * state, the step between two snapshots, the exits it emits with their one reason, and the
 * effects' seam (machines/master.effects.ts). Observers decide on these, never on state names.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../machines/exit-codes.js';
import { mayUnlinkSockets, socketsHeld } from '../../machines/master.context.js';
import { effectActions, effectStubs, type MasterEffects } from '../../machines/master.effects.js';
import { stamp } from '../../machines/master.events.js';
import { masterStep, masterView, type MasterFact, type MasterStep } from '../../machines/master.facts.js';
import { createActor } from 'xstate';
import { masterMachine } from '../../machines/master.machine.js';
import { stateName } from '../../machines/state-name.js';
import { drive, SETTINGS, type Harness } from './harness.js';

/** The harness, with every step as an observer gets it. */
function observed(settings = {}) {
  const h = drive(settings);
  const steps: MasterStep[] = [];
  let facts: MasterFact[] = [];
  h.actor.on('workerExited', (f) => facts.push(f));
  let last = masterView(h.actor.getSnapshot());
  // The cause of each step is the event the harness sends.
  let cause = '';
  const send = h.send;
  h.send = (e) => {
    cause = e.type;
    return send(e);
  };
  h.actor.subscribe((s) => {
    const view = masterView(s);
    steps.push(masterStep(last, view, cause, facts));
    facts = [];
    last = view;
  });
  return { h, steps, last: () => steps.at(-1)! };
}

const tagsOf = (h: Harness) => {
  const v = masterView(h.actor.getSnapshot());
  return (['booting', 'serving', 'reloading', 'handedOver', 'stopping', 'halted'] as const).filter((t) => v[t]);
};

describe('master facts: the tags of each state', () => {
  it('booting, serving, reloading, handed over, stopping, halted', () => {
    const h = drive({ workers: 1 });
    expect(tagsOf(h)).toEqual(['booting']);
    h.readyAll();
    expect(tagsOf(h)).toEqual(['serving']);
    h.send({ type: 'HUP' });
    expect(tagsOf(h)).toEqual(['serving', 'reloading']);
    h.send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 1 } });
    expect(tagsOf(h)).toEqual(['serving', 'reloading']);
    h.readyAll().exit(1);
    expect(tagsOf(h)).toEqual(['serving']);
    h.send({ type: 'USR2' }).send({ type: 'UPGRADE_SPAWNED', pid: 9 }).send({ type: 'WINCH' });
    expect(tagsOf(h)).toEqual(['serving', 'handedOver']);
    h.send({ type: 'HUP' }).send({ type: 'TERM' });
    expect(tagsOf(h)).toEqual(['stopping']);
    for (const w of h.workers()) h.exit(w.id);
    expect(tagsOf(h)).toEqual(['halted']);
    expect(masterView(h.actor.getSnapshot()).state).toBe('halted');
  });
});

describe('master facts: one step', () => {
  it('the first generation serving is "ready", once; the target is new at the first step', () => {
    const { h, steps, last } = observed({ workers: 2 });
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 });
    expect(last()).toMatchObject({ ready: false, moved: false, targetChanged: false });
    h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).send({ type: 'WORKER_READY', id: 2 });
    expect(last()).toMatchObject({ ready: true, moved: true, reloadStarted: false, reloadEnded: null, stopBegan: false });
    expect(last().before!.state).toBe('booting');
    expect(last().after.state).toBe('serving.running');
    expect(steps.filter((s) => s.ready)).toHaveLength(1);
    expect(masterStep(null, last().after, 'x')).toMatchObject({
      ready: false,
      moved: true,
      targetChanged: true,
      reloadStarted: false,
      reloadEnded: null,
      stopBegan: false,
      exits: [],
    });
  });

  it('a reload starts and ends completed; TTIN is a new target without a move', () => {
    const { h, last } = observed({ workers: 1 });
    h.readyAll().send({ type: 'HUP' });
    expect(last()).toMatchObject({ reloadStarted: true, reloadEnded: null, moved: true });
    h.send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 1 } });
    expect(last()).toMatchObject({ reloadStarted: false, reloadEnded: null });
    h.readyAll();
    expect(last().reloadEnded).toBe('completed');
    h.send({ type: 'TTIN' });
    expect(last()).toMatchObject({ moved: false, targetChanged: true });
    expect(last().workers.map((c) => [c.w.id, c.from, c.to])).toEqual([[3, 'none', 'spawning']]);
  });

  it('a reload ended by a bad configuration, by a new generation that cannot boot, by a stop', () => {
    const failed = observed({ workers: 1 });
    failed.h.readyAll().send({ type: 'HUP' }).send({ type: 'CONFIG_FAILED', reason: 'bad' });
    expect(failed.last().reloadEnded).toBe('config_failed');
    const abandoned = observed({ workers: 1 });
    abandoned.h
      .readyAll()
      .send({ type: 'HUP' })
      .send({ type: 'CONFIG_LOADED', settings: { ...SETTINGS, workers: 1 } });
    abandoned.h.send({ type: 'WORKER_SPAWNED', id: 2, pid: 12 }).exit(2, EXIT.APP_LOAD_ERROR);
    expect(abandoned.last().reloadEnded).toBe('abandoned');
    const stopped = observed({ workers: 1 });
    stopped.h.readyAll().send({ type: 'HUP' }).send({ type: 'TERM' });
    expect(stopped.last()).toMatchObject({ reloadEnded: 'interrupted', stopBegan: true });
    stopped.h.send({ type: 'INT' });
    expect(stopped.last()).toMatchObject({ reloadEnded: null, stopBegan: false, moved: true });
  });

  it('each exit once, with the reason the machine gave it', () => {
    const { h, last } = observed({ workers: 1 });
    h.readyAll().send({ type: 'TTIN' }).readyAll().send({ type: 'TTOU' });
    h.exit(1);
    expect(last().exits).toEqual([{ type: 'workerExited', id: 1, workerPid: 1001, generation: 1, reason: 'scale', code: 0, signal: null }]);
    h.exit(2, null, 'SIGKILL');
    expect(last().exits).toEqual([{ type: 'workerExited', id: 2, workerPid: 1002, generation: 1, reason: 'crash', code: null, signal: 'SIGKILL' }]);
    h.exit(2, 1);
    expect(last().exits).toEqual([]);
  });
});

describe('master facts: a state as one name', () => {
  it('nested states joined with dots, parallel ones with commas, an empty one by its key', () => {
    expect(stateName('booting')).toBe('booting');
    expect(stateName({ serving: { reloading: 'rolling' } })).toBe('serving.reloading.rolling');
    expect(stateName({ a: 'b', c: { d: 'e' } })).toBe('a.b,c.d.e');
    expect(stateName({ a: {}, b: 'x' })).toBe('a,b.x');
    expect(stateName({ a: undefined })).toBe('a');
    expect(stateName({ a: null } as never)).toBe('a');
  });
});

describe('master facts: the first step', () => {
  it('a master seen first while stopping: the stop began; every worker is new', () => {
    const h = drive({ workers: 1 }).readyAll().send({ type: 'TERM' });
    const step = masterStep(null, masterView(h.actor.getSnapshot()), 'TERM');
    expect(step.stopBegan).toBe(true);
    expect(step.workers.map((c) => [c.w.id, c.from, c.to])).toEqual([[1, 'none', 'draining']]);
  });
});

describe('master facts: exits and scaling decisions, each in its list', () => {
  it('the facts of one step are split by kind', () => {
    const view = masterView(drive({ workers: 1 }).readyAll().actor.getSnapshot());
    const exit: MasterFact = { type: 'workerExited', id: 1, workerPid: 9, generation: 1, reason: 'crash', code: 1, signal: null };
    const scaled: MasterFact = { type: 'scaled', direction: 'up', reason: 'accept-queue', from: 1, to: 2, queued: 3, meanElu: null };
    const step = masterStep(view, view, 'LOAD_SAMPLE', [exit, scaled]);
    expect([step.exits, step.scaled]).toEqual([[exit], [scaled]]);
  });
});

describe('master facts: the sockets', () => {
  const ctx = drive().ctx();
  it('held until closed, never when the workers bind them', () => {
    expect(socketsHeld(ctx)).toBe(true);
    expect(socketsHeld({ ...ctx, socketsClosed: true })).toBe(false);
    expect(socketsHeld({ ...ctx, workersBind: true })).toBe(false);
  });
  it('a unix socket file is removed only while no other master shares it', () => {
    expect(mayUnlinkSockets(ctx)).toBe(true);
    expect(mayUnlinkSockets({ ...ctx, upgrade: { pid: 9, ready: false } })).toBe(false);
    expect(mayUnlinkSockets({ ...ctx, upgradeFrom: 8 })).toBe(false);
  });
  it('a stop closes them before the workers are told', () => {
    const h = drive({ workers: 1 }).readyAll();
    const from = h.effects.length;
    h.send({ type: 'TERM' });
    expect(h.effects.slice(from).filter((e) => e.type !== 'log')).toEqual([
      { type: 'closeListeners', unlink: true },
      { type: 'signal', id: 1, signal: 'SIGTERM' },
    ]);
    expect(h.ctx().socketsClosed).toBe(true);
  });
  it('the TERMs of a stop say the sockets are no longer held: they were closed first', () => {
    const params: Array<{ signal: string; socketsHeld: boolean }> = [];
    const machine = masterMachine.provide({
      actions: {
        signalWorker: (_, p) => {
          params.push(p);
        },
      },
    });
    const actor = createActor(machine, { input: { settings: { ...SETTINGS, workers: 1 }, now: 0 } }).start();
    actor.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11, now: 1 });
    actor.send({ type: 'WORKER_READY', id: 1, now: 1 });
    actor.send({ type: 'TERM', now: 2 });
    expect(params).toEqual([expect.objectContaining({ signal: 'SIGTERM', socketsHeld: false })]);
  });
});

describe('master effects: the seam', () => {
  it('each action calls the host effect of its name with its parameters', () => {
    const calls: unknown[][] = [];
    const record = (name: string) => (p?: unknown) => {
      calls.push(p === undefined ? [name] : [name, p]);
    };
    const host: MasterEffects = {
      spawnWorker: record('spawnWorker'),
      signalWorker: record('signalWorker'),
      closeListeners: record('closeListeners'),
      reopenLogs: record('reopenLogs'),
      startUpgrade: record('startUpgrade'),
      tellOldMaster: record('tellOldMaster'),
      claimPidfile: record('claimPidfile'),
      log: record('log'),
    };
    const actions = effectActions(host);
    actions.spawnWorker(null, { id: 1, generation: 2, yieldCpu: true });
    actions.signalWorker(null, { id: 1, workerPid: 5, signal: 'SIGTERM', socketsHeld: true, drain: { reason: 'reload', graceMs: 100 } });
    actions.closeListeners(null, { unlink: false });
    actions.reopenLogs(null, undefined);
    actions.startUpgrade(null, undefined);
    actions.tellOldMaster(null, undefined);
    actions.claimPidfile(null, undefined);
    actions.log(null, { level: 'info', msg: 'm' });
    expect(calls).toEqual([
      ['spawnWorker', { id: 1, generation: 2, yieldCpu: true }],
      ['signalWorker', { id: 1, workerPid: 5, signal: 'SIGTERM', socketsHeld: true, drain: { reason: 'reload', graceMs: 100 } }],
      ['closeListeners', { unlink: false }],
      ['reopenLogs'],
      ['startUpgrade'],
      ['tellOldMaster'],
      ['claimPidfile'],
      ['log', { level: 'info', msg: 'm' }],
    ]);
    expect(Object.keys(effectStubs).sort()).toEqual(Object.keys(actions).sort());
  });

  it('an event enters the machine stamped with the time', () => {
    expect(stamp({ type: 'WORKER_READY', id: 3 }, 42)).toEqual({ type: 'WORKER_READY', id: 3, now: 42 });
  });
});
