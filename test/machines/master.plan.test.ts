/**
 * The master's decisions as pure functions, edge by edge: which worker is retired first, when
 * a deadline or a timeout counts as passed (strictly after), what is left alone.
 */
import { describe, expect, it } from 'vitest';
import { initialContext, QUICK_STOP_MS, STABLE_MS, type MasterContext } from '../../machines/master.context.js';
import { abandonReload, isStableAfterFailures, reconcile, stopAll, watch } from '../../machines/master.plan.js';
import {
  diedOfItself,
  drainReason,
  exitKind,
  exitReason,
  freeSlot,
  handleChanges,
  kindOfReason,
  newHandle,
  signalled,
  type WorkerHandle,
} from '../../machines/worker-handle.js';
import {
  DRAIN_REASONS,
  masterMessage,
  parseMasterMessage,
  parseUpgradeMessage,
  parseWorkerMessage,
  upgradeMessage,
  workerMessage,
} from '../../machines/protocol.js';
import { nowOf } from '../../machines/master.setup.js';
import { SETTINGS } from './harness.js';

const ready = (id: number, generation = 1, at = 0): WorkerHandle => ({
  ...newHandle(id, id, generation, at),
  pid: 100 + id,
  phase: 'ready',
  readyAt: at,
  beatAt: at,
});
const booting = (id: number, generation = 1, at = 0): WorkerHandle => ({ ...newHandle(id, id, generation, at), pid: 100 + id, phase: 'booting' });
function ctx(workers: WorkerHandle[], over: Partial<MasterContext> = {}): MasterContext {
  return { ...initialContext({ settings: SETTINGS, now: 0 }), workers, nextId: 10, target: workers.length, ...over };
}
const signals = (plan: ReturnType<typeof watch>) =>
  plan.effects.filter((e) => e.type === 'signalWorker').map((e) => [e.params.id, (e.params as { signal: string }).signal]);
/** The log records a plan asks for, whole: the operator reads their fields. */
const logRecords = (plan: ReturnType<typeof watch>) => plan.effects.filter((e) => e.type === 'log').map((e) => e.params);
const logs = (plan: ReturnType<typeof watch>) =>
  plan.effects.filter((e) => e.type === 'log').map((e) => [(e.params as { level: string }).level, (e.params as { msg: string }).msg]);

describe('reconcile', () => {
  it('spawns nothing at the target, and exactly the missing workers below it', () => {
    expect(reconcile(ctx([ready(1), ready(2)]), 5).effects).toEqual([]);
    const plan = reconcile(ctx([ready(1)], { target: 3 }), 5);
    // Nothing they replace still serves: they boot at full speed.
    expect(plan.effects).toEqual([
      { type: 'spawnWorker', params: { id: 10, generation: 1, yieldCpu: false } },
      { type: 'spawnWorker', params: { id: 11, generation: 1, yieldCpu: false } },
    ]);
    expect(plan.nextId).toBe(12);
    expect(plan.workers.map((w) => [w.id, w.phase, w.spawnedAt])).toEqual([
      [1, 'ready', 0],
      [10, 'spawning', 5],
      [11, 'spawning', 5],
    ]);
  });

  it('above the target, retires the oldest ready worker, gracefully, with the graceful deadline', () => {
    const plan = reconcile(ctx([ready(3), ready(1), ready(2)], { target: 2 }), 100);
    expect(signals(plan)).toEqual([[1, 'SIGTERM']]);
    expect(plan.workers.find((w) => w.id === 1)).toMatchObject({ phase: 'draining', cause: 'retire', deadline: 100 + SETTINGS.gracefulTimeoutMs });
  });

  it('retires a booting worker before a ready one, among old generations too', () => {
    expect(signals(reconcile(ctx([ready(1), booting(2), ready(3)], { target: 2 }), 0))).toEqual([[2, 'SIGTERM']]);
    const rolling = ctx([ready(1, 1), booting(2, 1), ready(4, 2), ready(5, 2)], { target: 2, generation: 2 });
    expect(signals(reconcile(rolling, 0))).toEqual([
      [2, 'SIGTERM'],
      [1, 'SIGTERM'],
    ]);
  });

  it('retires old workers only as far as ready new ones replace them', () => {
    const half = ctx([ready(1, 1), ready(2, 1), ready(3, 2), booting(4, 2)], { target: 2, generation: 2 });
    expect(signals(reconcile(half, 0))).toEqual([[1, 'SIGTERM']]);
  });
});

describe('slots: bounded numbers for the metrics, where ids grow', () => {
  const inSlot = (id: number, slot: number, generation = 1): WorkerHandle => ({ ...ready(id, generation), slot });
  it('the lowest number from 1 that no worker holds', () => {
    expect(freeSlot([])).toBe(1);
    expect(freeSlot([inSlot(7, 1), inSlot(8, 2)])).toBe(3);
    expect(freeSlot([inSlot(7, 2), inSlot(8, 3)])).toBe(1);
    expect(freeSlot([inSlot(7, 1), inSlot(8, 3)])).toBe(2);
  });

  it("new workers take the free slots in order; a reload's take those beside the old ones, then the old ones' as they go", () => {
    const first = reconcile(ctx([], { target: 3 }), 0);
    expect(first.workers.map((w) => [w.id, w.slot])).toEqual([
      [10, 1],
      [11, 2],
      [12, 3],
    ]);
    // A rolling reload: generation 1 holds slots 1 and 2; the new ones boot beside them.
    const rolling = reconcile(ctx([inSlot(1, 1), inSlot(2, 2)], { target: 2, generation: 2 }), 0);
    expect(rolling.workers.filter((w) => w.generation === 2).map((w) => [w.id, w.slot])).toEqual([
      [10, 3],
      [11, 4],
    ]);
    // Worker 1 is gone: its slot is the next worker's.
    const after = reconcile(ctx([inSlot(2, 2), inSlot(10, 3, 2)], { target: 2, generation: 2, nextId: 12 }), 0);
    expect(after.workers.filter((w) => w.id === 12).map((w) => w.slot)).toEqual([1]);
  });
});

describe('watch', () => {
  const settings = { ...SETTINGS, timeoutMs: 1000, bootTimeoutMs: 5000 };
  it('records a changed heartbeat with the time it changed, and keeps an unchanged one', () => {
    const c = {
      ...ctx([
        { ...ready(1), beat: 7, beatAt: 0 },
        { ...ready(2), beat: 7, beatAt: 0 },
      ]),
      settings,
    };
    const plan = watch(c, 500, { 1: 8, 2: 7 });
    expect(plan.workers.map((w) => [w.beat, w.beatAt])).toEqual([
      [8, 500],
      [7, 0],
    ]);
  });

  it('a deadline counts only once strictly passed; a killed worker is left alone', () => {
    const c = {
      ...ctx([
        { ...ready(1), phase: 'draining', deadline: 100, cause: 'retire' },
        { ...ready(2), phase: 'killed', deadline: 0 },
      ]),
      settings: { ...settings, timeoutMs: 0 },
    };
    expect(signals(watch(c, 100, {}))).toEqual([]);
    const late = watch(c, 101, {});
    expect(signals(late)).toEqual([[1, 'SIGKILL']]);
    expect(logRecords(late)).toEqual([{ level: 'warn', msg: 'worker still alive after its deadline: SIGKILL', id: 1, workerPid: 101 }]);
    expect(late.workers[0]).toMatchObject({ phase: 'killed', cause: 'retire', deadline: null });
  });

  it('a deadline with no cause yet is a stop', () => {
    const c = { ...ctx([{ ...ready(1), phase: 'draining', deadline: 0 }]), settings };
    expect(watch(c, 1, { 1: 1 }).workers[0].cause).toBe('stop');
  });

  it('kills a worker booting for longer than the boot timeout (strictly), and not when it is 0', () => {
    const c = { ...ctx([booting(1, 1, 300)]), settings };
    expect(signals(watch(c, 5300, {}))).toEqual([]);
    const late = watch(c, 5301, {});
    expect(signals(late)).toEqual([[1, 'SIGKILL']]);
    expect(late.workers[0].cause).toBe('boot-timeout');
    expect(logRecords(late)).toEqual([{ level: 'error', msg: 'worker boot timeout', id: 1, workerPid: 101, bootTimeoutMs: 5000 }]);
    expect(signals(watch({ ...c, settings: { ...settings, bootTimeoutMs: 0 } }, 10 ** 9, {}))).toEqual([]);
  });

  it('says how long a worker was silent, from its last beat', () => {
    const c = { ...ctx([{ ...ready(1), beatAt: 200 }]), settings };
    expect(logRecords(watch(c, 1201, {}))).toEqual([{ level: 'error', msg: 'worker timeout', id: 1, workerPid: 101, silentMs: 1001 }]);
  });

  it('aborts a ready or draining worker silent strictly longer than the timeout; not a booting or aborting one; not when 0', () => {
    const c = {
      ...ctx([ready(1), { ...ready(2), phase: 'draining', deadline: 10 ** 9 }, booting(3), { ...ready(4), phase: 'aborting', deadline: 10 ** 9 }]),
      settings,
    };
    expect(signals(watch(c, 1000, {}))).toEqual([]);
    const late = watch(c, 1001, {});
    expect(signals(late)).toEqual([
      [1, 'SIGABRT'],
      [2, 'SIGABRT'],
    ]);
    expect(logs(late)).toEqual([
      ['error', 'worker timeout'],
      ['error', 'worker timeout'],
    ]);
    expect(late.effects.filter((e) => e.type === 'log').map((e) => (e.params as unknown as { silentMs: number }).silentMs)).toEqual([1001, 1001]);
    expect(late.effects.every((e) => typeof e === 'object')).toBe(true);
    expect(late.workers[0]).toMatchObject({ phase: 'aborting', cause: 'timeout', deadline: 1001 });
    // Timeout 0: nobody is aborted (only the booting one is killed, for its boot timeout).
    expect(signals(watch({ ...c, settings: { ...settings, timeoutMs: 0 } }, 10 ** 9, {}))).toEqual([[3, 'SIGKILL']]);
  });
});

describe('stopAll', () => {
  it('graceful: TERM to booting and ready workers, with the graceful deadline; others keep theirs', () => {
    const c = ctx([
      ready(1),
      booting(2),
      { ...ready(3), phase: 'draining', deadline: 50, cause: 'retire' },
      { ...ready(4), phase: 'killed' },
      { ...ready(5), phase: 'quitting', deadline: 9 },
    ]);
    const plan = stopAll(c, 10, false);
    expect(signals(plan)).toEqual([
      [1, 'SIGTERM'],
      [2, 'SIGTERM'],
    ]);
    expect(plan.effects).toHaveLength(2);
    expect(plan.workers.map((w) => w.deadline)).toEqual([10 + SETTINGS.gracefulTimeoutMs, 10 + SETTINGS.gracefulTimeoutMs, 50, null, 9]);
  });

  it('quick: QUIT to everyone not already quitting or killed, deadline the sooner of 2 s and their own', () => {
    const c = ctx([
      ready(1),
      { ...ready(3), phase: 'draining', deadline: 50 },
      { ...ready(4), phase: 'killed' },
      { ...ready(5), phase: 'quitting', deadline: 9 },
    ]);
    const plan = stopAll(c, 10, true);
    expect(signals(plan)).toEqual([
      [1, 'SIGQUIT'],
      [3, 'SIGQUIT'],
    ]);
    expect(plan.workers.map((w) => w.deadline)).toEqual([10 + QUICK_STOP_MS, 50, null, 9]);
    expect(plan.workers[0].cause).toBe('stop');
    const short = stopAll({ ...c, settings: { ...SETTINGS, gracefulTimeoutMs: 500 } }, 10, true);
    expect(short.workers[0].deadline).toBe(510);
  });
});

describe('the sockets-held note on a TERM', () => {
  const held = (plan: ReturnType<typeof watch>) =>
    plan.effects.filter((e) => e.type === 'signalWorker').map((e) => [e.params.id, e.params.signal, e.params.socketsHeld]);

  it('says the master holds the sockets on a retiring TERM, never on other signals, nor once they are closed or the workers bind', () => {
    const stale = { ...ready(1), generation: 1 };
    const c = ctx([stale, ready(2, 2), ready(3, 2)], { generation: 2, target: 2 });
    expect(held(reconcile(c, 10))).toEqual([[1, 'SIGTERM', true]]);
    expect(held(reconcile({ ...c, workersBind: true }, 10))).toEqual([[1, 'SIGTERM', false]]);
    expect(held(stopAll(c, 10, false, 'handover'))).toEqual([
      [1, 'SIGTERM', true],
      [2, 'SIGTERM', true],
      [3, 'SIGTERM', true],
    ]);
    expect(held(stopAll({ ...c, socketsClosed: true }, 10, false))).toEqual([
      [1, 'SIGTERM', false],
      [2, 'SIGTERM', false],
      [3, 'SIGTERM', false],
    ]);
    expect(held(stopAll(c, 10, true))).toEqual([
      [1, 'SIGQUIT', false],
      [2, 'SIGQUIT', false],
      [3, 'SIGQUIT', false],
    ]);
    const hung = { ...ready(4), beat: 1, beatAt: 0 };
    expect(held(watch(ctx([hung]), SETTINGS.timeoutMs + 1, { 4: 1 }))).toEqual([[4, 'SIGABRT', false]]);
  });
});

describe('the drain note on a TERM', () => {
  const notes = (plan: ReturnType<typeof watch>) =>
    plan.effects.filter((e) => e.type === 'signalWorker').map((e) => [e.params.id, e.params.signal, e.params.drain]);

  it('says why and how long until the SIGKILL: reload, scale, recycle, stop, retire; nothing on the other signals', () => {
    const stale = { ...ready(1), generation: 1 };
    const c = ctx([stale, ready(2, 2), ready(3, 2)], { generation: 2, target: 2 });
    const grace = SETTINGS.gracefulTimeoutMs;
    expect(notes(reconcile(c, 10))).toEqual([[1, 'SIGTERM', { reason: 'reload', graceMs: grace }]]);
    expect(notes(reconcile({ ...c, workers: [ready(2, 2), ready(3, 2)], target: 1 }, 10))).toEqual([[2, 'SIGTERM', { reason: 'scale', graceMs: grace }]]);
    const recycling = { ...ready(2, 2), recycle: 'max-requests' as const };
    expect(notes(reconcile({ ...c, workers: [recycling, ready(3, 2), ready(4, 2)] }, 10))).toEqual([[2, 'SIGTERM', { reason: 'recycle', graceMs: grace }]]);
    expect(notes(stopAll(c, 10, false))).toEqual([1, 2, 3].map((id) => [id, 'SIGTERM', { reason: 'stop', graceMs: grace }]));
    expect(notes(stopAll(c, 10, false, 'handover'))).toEqual([1, 2, 3].map((id) => [id, 'SIGTERM', { reason: 'retire', graceMs: grace }]));
    expect(notes(stopAll(c, 10, true))).toEqual([1, 2, 3].map((id) => [id, 'SIGQUIT', null]));
    // A stop after a retirement keeps the sooner deadline, and says so.
    const retiring = { ...ready(3, 2), phase: 'draining' as const, deadline: 400, cause: 'retire' as const };
    expect(notes(stopAll({ ...c, workers: [ready(2, 2), retiring] }, 100, false))).toEqual([[2, 'SIGTERM', { reason: 'stop', graceMs: grace }]]);
    const hung = { ...ready(4), beat: 1, beatAt: 0 };
    expect(notes(watch(ctx([hung]), SETTINGS.timeoutMs + 1, { 4: 1 }))).toEqual([[4, 'SIGABRT', null]]);
  });

  it("the grace is whole milliseconds, however fractional the master's clock (the note carries a count)", () => {
    const c = ctx([ready(1), ready(2)], { target: 1 });
    const [[, , drain]] = notes(reconcile(c, 24350.611361145802)); // 24350.61... + 30000 - 24350.61... is not 30000 in floating point
    expect(drain).toEqual({ reason: 'scale', graceMs: SETTINGS.gracefulTimeoutMs });
    expect(parseMasterMessage(masterMessage.drain('scale', (drain as { graceMs: number }).graceMs, true))).not.toBeNull();
  });

  it('the reason follows the first cause of a worker told twice', () => {
    expect(drainReason({ ...ready(1, 1), cause: 'retire' }, 2)).toBe('reload');
    expect(drainReason({ ...ready(1, 2), cause: 'retire' }, 2)).toBe('scale');
    for (const cause of ['handover', 'reload-abandoned', 'timeout', 'boot-timeout', 'protocol', null] as const)
      expect(drainReason({ ...ready(1), cause }, 1)).toBe('retire');
  });
});

describe('abandonReload', () => {
  it('keeps ready new workers as the old generation and retires new ones still booting', () => {
    const c = ctx([ready(1, 1), ready(2, 2), booting(3, 2), ready(4, 3), booting(5, 1)], { generation: 2, previousGeneration: 1 });
    const plan = abandonReload(c, 7);
    expect(plan.effects).toHaveLength(1);
    expect(plan.workers.map((w) => [w.id, w.generation, w.phase])).toEqual([
      [1, 1, 'ready'],
      [2, 1, 'ready'],
      [3, 2, 'draining'],
      [4, 3, 'ready'],
      [5, 1, 'booting'],
    ]);
    expect(plan.workers[2].cause).toBe('reload-abandoned');
    expect(signals(plan)).toEqual([[3, 'SIGTERM']]);
  });
});

describe('isStableAfterFailures', () => {
  const failedAt = 1000;
  const c = (w: WorkerHandle, failures = 1) => ctx([w], { failures, lastFailureAt: failedAt });
  it('forgives only after a worker spawned since the failure stays ready for STABLE_MS', () => {
    const w = { ...ready(1, 1, failedAt), spawnedAt: failedAt, readyAt: failedAt + 100 };
    expect(isStableAfterFailures(c(w), failedAt + 100 + STABLE_MS)).toBe(true);
    expect(isStableAfterFailures(c(w), failedAt + 99 + STABLE_MS)).toBe(false);
    expect(isStableAfterFailures(c(w, 0), failedAt + 10 * STABLE_MS)).toBe(false);
    expect(isStableAfterFailures(c({ ...w, spawnedAt: failedAt - 1 }), failedAt + 10 * STABLE_MS)).toBe(false);
    expect(isStableAfterFailures(c({ ...w, phase: 'draining' }), failedAt + 10 * STABLE_MS)).toBe(false);
    expect(isStableAfterFailures(c({ ...w, readyAt: null }), failedAt + 10 * STABLE_MS)).toBe(false);
  });
});

describe('worker handle', () => {
  it('classifies an exit by why the master asked it to go, then by whether it was ready', () => {
    const w = ready(1);
    for (const cause of ['retire', 'stop', 'reload-abandoned'] as const) expect(exitKind({ ...w, cause }, 1, 4)).toBe('retired');
    expect(exitKind({ ...w, cause: 'boot-timeout' }, null, 4)).toBe('boot-failure');
    expect(exitKind({ ...w, cause: 'timeout' }, null, 4)).toBe('timeout');
    expect(exitKind(booting(1), 4, 4)).toBe('app-load-error');
    expect(exitKind(booting(1), 3, 4)).toBe('boot-failure');
    expect(exitKind(w, 0, 4)).toBe('crash');
  });

  it("gives each exit one reason, of which the kind is the decisions' view", () => {
    const w = ready(1);
    const reason = (x: WorkerHandle, code: number | null = 0, generation = 1) => exitReason(x, code, 4, generation);
    expect(reason({ ...w, cause: 'retire' }, 0, 2)).toBe('reload');
    expect(reason({ ...w, cause: 'retire' })).toBe('scale');
    expect(reason({ ...w, cause: 'reload-abandoned' })).toBe('reload');
    expect(reason({ ...w, cause: 'recycle' })).toBe('recycled');
    expect(reason({ ...w, cause: 'handover' })).toBe('upgrade');
    expect(reason({ ...w, cause: 'stop' })).toBe('stop');
    expect(reason({ ...w, cause: 'timeout' })).toBe('timeout');
    expect(reason({ ...w, cause: 'boot-timeout' })).toBe('boot-failure');
    expect(reason({ ...w, cause: 'protocol' })).toBe('crash');
    expect(reason({ ...booting(1), cause: 'protocol' }, 4)).toBe('app-load-error');
    expect(reason(booting(1), 3)).toBe('boot-failure');
    expect(reason(w)).toBe('crash');
    for (const r of ['recycled', 'reload', 'scale', 'upgrade', 'stop'] as const) expect(kindOfReason(r)).toBe('retired');
    for (const r of ['app-load-error', 'boot-failure', 'crash', 'timeout'] as const) expect(kindOfReason(r)).toBe(r);
  });

  it('tells a worker that died of itself from one killed from outside', () => {
    expect(diedOfItself(1, null)).toBe(true);
    expect(diedOfItself(0, null)).toBe(false);
    expect(diedOfItself(null, 'SIGKILL')).toBe(false);
    expect(diedOfItself(null, 'SIGTERM')).toBe(false);
    expect(diedOfItself(null, null)).toBe(false);
    for (const s of ['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']) expect(diedOfItself(null, s)).toBe(true);
  });

  it('maps each signal to the phase it puts a worker in, keeping the first cause', () => {
    expect(['SIGTERM', 'SIGQUIT', 'SIGABRT', 'SIGKILL'].map((s) => signalled(ready(1), s as never, 'stop', 5).phase)).toEqual([
      'draining',
      'quitting',
      'aborting',
      'killed',
    ]);
    expect(signalled({ ...ready(1), cause: 'retire' }, 'SIGKILL', 'stop', null).cause).toBe('retire');
  });

  it('reads the time of an event, or the start time for the init event', () => {
    const c = ctx([], { startedAt: 42 });
    expect(nowOf({ type: 'TICK', now: 7, beats: {} }, c)).toBe(7);
    expect(nowOf({ type: 'xstate.init' }, c)).toBe(42);
    expect(nowOf({ type: 'odd', now: 'x' } as never, c)).toBe(42);
  });
});

describe('handleChanges', () => {
  it('reports new workers, phase changes, learnt pids and exits; nothing for an unchanged worker', () => {
    const before = [ready(1), { ...newHandle(2, 2, 1, 0) }, booting(3)];
    const after = [ready(1), { ...newHandle(2, 2, 1, 0), pid: 102, phase: 'booting' as const }, { ...booting(3), pid: 103 }, newHandle(4, 4, 1, 0)];
    expect(handleChanges(before, after).map(({ w, from, to, spawned }) => [w.id, from, to, spawned])).toEqual([
      [2, 'spawning', 'booting', true],
      [4, 'none', 'spawning', false],
    ]);
    expect(handleChanges(after, [after[0]]).map(({ w, to }) => [w.id, to])).toEqual([
      [2, 'exited'],
      [3, 'exited'],
      [4, 'exited'],
    ]);
    // A phase change of a worker whose pid was known already: told to drain.
    expect(handleChanges([ready(1)], [{ ...ready(1), phase: 'draining' }]).map(({ w, from, to, spawned }) => [w.id, from, to, spawned])).toEqual([
      [1, 'ready', 'draining', false],
    ]);
  });
});

describe('IPC protocol', () => {
  it('accepts only our messages, of a known kind and shape', () => {
    expect(parseWorkerMessage(workerMessage.ready())).toEqual({ statefork: 1, kind: 'ready' });
    expect(parseWorkerMessage(workerMessage.failed('why'))).toEqual({ statefork: 1, kind: 'failed', reason: 'why' });
    expect(parseWorkerMessage(workerMessage.stats(12))).toEqual({ statefork: 1, kind: 'stats', requests: 12 });
    expect(parseWorkerMessage({ statefork: 1, kind: 'stats', requests: 0 })).toEqual({ statefork: 1, kind: 'stats', requests: 0 });
    for (const raw of [
      null,
      undefined,
      'ready',
      7,
      {},
      { kind: 'ready' },
      { statefork: 1, kind: 'other', reason: 'x' },
      { statefork: 2, kind: 'ready' },
      { statefork: 1, kind: 'other' },
      { statefork: 1, kind: 'failed' },
      { statefork: 1, kind: 'failed', reason: 3 },
      { statefork: 1, kind: 'stats', requests: -1 },
      { statefork: 1, kind: 'stats', requests: 1.5 },
      { statefork: 1, kind: 'stats' },
    ]) {
      expect(parseWorkerMessage(raw)).toBeNull();
    }
  });

  it('a recycle request carries one of the known reasons', () => {
    expect(parseWorkerMessage(workerMessage.recycle('max-requests'))).toEqual({ statefork: 1, kind: 'recycle', reason: 'max-requests' });
    expect(parseWorkerMessage({ statefork: 1, kind: 'recycle', reason: 'max-memory' })).toEqual({ statefork: 1, kind: 'recycle', reason: 'max-memory' });
    for (const raw of [
      { statefork: 1, kind: 'recycle' },
      { statefork: 1, kind: 'recycle', reason: 'bored' },
      { statefork: 1, kind: 'other', reason: 'max-requests' },
      { statefork: 1, kind: 'other', requests: 3 },
      { statefork: 2, kind: 'recycle', reason: 'max-requests' },
    ]) {
      expect(parseWorkerMessage(raw)).toBeNull();
    }
  });

  it('from the master: only the drain note, versioned and checked field by field; never a worker message', () => {
    const note = masterMessage.drain('scale', 2500, false);
    expect(parseMasterMessage(note)).toEqual({ statefork: 1, kind: 'drain', reason: 'scale', graceMs: 2500, socketsHeld: false });
    for (const reason of DRAIN_REASONS) expect(parseMasterMessage(masterMessage.drain(reason, 0, true))?.reason).toBe(reason);
    for (const raw of [
      null,
      undefined,
      'drain',
      3,
      {},
      { kind: 'drain' },
      { ...note, statefork: 2 },
      { ...note, kind: 'sockets-held' },
      { ...note, reason: 'bored' },
      { ...note, graceMs: -1 },
      { ...note, graceMs: 1.5 },
      { ...note, graceMs: '9' },
      { ...note, socketsHeld: 'yes' },
      { statefork: 1, kind: 'ready' },
      workerMessage.ready(),
    ]) {
      expect(parseMasterMessage(raw)).toBeNull();
    }
    expect(parseWorkerMessage(note)).toBeNull();
  });

  it('between masters: only upgrade-ready, versioned; never mistaken for a worker or master message', () => {
    expect(parseUpgradeMessage(upgradeMessage.ready())).toEqual({ statefork: 1, kind: 'upgrade-ready' });
    for (const raw of [
      null,
      undefined,
      'upgrade-ready',
      3,
      {},
      { kind: 'upgrade-ready' },
      { statefork: 2, kind: 'upgrade-ready' },
      workerMessage.ready(),
      masterMessage.drain('stop', 1, false),
    ]) {
      expect(parseUpgradeMessage(raw)).toBeNull();
    }
    expect(parseWorkerMessage(upgradeMessage.ready())).toBeNull();
    expect(parseMasterMessage(upgradeMessage.ready())).toBeNull();
  });
});
