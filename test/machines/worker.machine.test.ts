import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { drainBound, MAX_DRAIN_MARGIN_MS, workerMachine, type WorkerEvent } from '../../machines/worker.machine.js';
import { EXIT, WORKER_ABORTED } from '../../machines/exit-codes.js';
import { stateName } from '../../machines/state-name.js';

function worker() {
  const effects: string[] = [];
  const names = [
    'boot',
    'announceReady',
    'reportFailure',
    'drain',
    'drainBriefly',
    'endConnections',
    'closeNow',
    'logAbort',
    'reopenLogs',
    'logIgnored',
  ] as const;
  const actions = Object.fromEntries(
    names.map((n) => [
      n,
      () => {
        effects.push(n);
      },
    ]),
  );
  const actor = createActor(workerMachine.provide({ actions })).start();
  const send = (...events: WorkerEvent[]) => {
    for (const e of events) actor.send(e);
  };
  return { actor, effects, send, state: () => stateName(actor.getSnapshot().value), output: () => actor.getSnapshot().output };
}

describe('worker machine', () => {
  it('boots, announces ready, drains on TERM and exits 0', () => {
    const w = worker();
    expect(w.effects).toEqual(['boot']);
    w.send({ type: 'BOOTED' });
    expect(w.state()).toBe('ready');
    w.send({ type: 'TERM' });
    expect(w.state()).toBe('draining');
    w.send({ type: 'TERM' }, { type: 'DRAINED' });
    expect(w.effects).toEqual(['boot', 'announceReady', 'drain']);
    expect(w.output()).toEqual({ exitCode: 0, reason: null });
  });

  it("at the drain's bound ends what is still open itself, then exits 0 once it is closed; a quick stop still cuts it short", () => {
    const w = worker();
    w.send({ type: 'BOOTED' }, { type: 'DRAIN_DEADLINE' });
    expect(w.state()).toBe('ready');
    w.send({ type: 'TERM' }, { type: 'DRAIN_DEADLINE' });
    expect(w.state()).toBe('ending');
    w.send({ type: 'PARENT_GONE' }, { type: 'TERM' }, { type: 'DRAIN_DEADLINE' });
    expect(w.state()).toBe('ending');
    w.send({ type: 'DRAINED' });
    expect(w.effects).toEqual(['boot', 'announceReady', 'drain', 'endConnections']);
    expect(w.output()).toEqual({ exitCode: 0, reason: null });
    for (const type of ['QUIT', 'INT'] as const) {
      const q = worker();
      q.send({ type: 'BOOTED' }, { type: 'TERM' }, { type: 'DRAIN_DEADLINE' }, { type });
      expect([q.state(), q.effects.at(-1), q.output()?.exitCode]).toEqual(['exited', 'closeNow', 0]);
    }
    const a = worker();
    a.send({ type: 'BOOTED' }, { type: 'TERM' }, { type: 'DRAIN_DEADLINE' }, { type: 'ABRT' });
    expect(a.output()?.exitCode).toBe(WORKER_ABORTED);
    const o = worker();
    o.send({ type: 'BOOTED' }, { type: 'PARENT_GONE' }, { type: 'DRAIN_DEADLINE' });
    expect(o.state()).toBe('orphaned');
  });

  it("the drain's bound: a quarter of the grace before the SIGKILL, at most a second, half of that for the clients to answer", () => {
    expect(drainBound(30_000)).toEqual({ endInMs: 29_000, closeMs: 500 });
    expect(drainBound(3000)).toEqual({ endInMs: 2250, closeMs: 375 });
    expect(drainBound(4000)).toEqual({ endInMs: 3000, closeMs: 500 });
    expect(drainBound(4004)).toEqual({ endInMs: 3004, closeMs: 500 });
    expect(drainBound(10)).toEqual({ endInMs: 8, closeMs: 1 });
    expect(drainBound(0)).toEqual({ endInMs: 0, closeMs: 0 });
    expect(MAX_DRAIN_MARGIN_MS).toBe(1000);
  });

  it('reports a boot failure and exits with its code', () => {
    const w = worker();
    w.send({ type: 'BOOT_FAILED', exitCode: EXIT.APP_LOAD_ERROR, reason: 'nope' });
    expect(w.effects).toEqual(['boot', 'reportFailure']);
    expect(w.output()).toEqual({ exitCode: 4, reason: 'nope' });
  });

  it.each(['QUIT', 'INT'] as const)('%s quits at once, from ready or while draining', (type) => {
    const a = worker();
    a.send({ type: 'BOOTED' }, { type });
    expect(a.effects.at(-1)).toBe('closeNow');
    expect(a.output()?.exitCode).toBe(0);
    const b = worker();
    b.send({ type: 'BOOTED' }, { type: 'TERM' }, { type });
    expect(b.state()).toBe('exited');
  });

  it('ABRT logs and exits with the aborted code', () => {
    const w = worker();
    w.send({ type: 'BOOTED' }, { type: 'ABRT' });
    expect(w.effects).toContain('logAbort');
    expect(w.output()?.exitCode).toBe(WORKER_ABORTED);
  });

  it('an orphaned worker drains briefly and exits', () => {
    const w = worker();
    w.send({ type: 'BOOTED' }, { type: 'PARENT_GONE' });
    expect(w.state()).toBe('orphaned');
    w.send({ type: 'DRAINED' });
    expect(w.effects.at(-1)).toBe('drainBriefly');
    expect(w.state()).toBe('exited');
  });

  it('from draining or orphaned, QUIT/INT quit at once and ABRT aborts; a draining worker can be orphaned', () => {
    for (const from of [[{ type: 'TERM' }], [{ type: 'PARENT_GONE' }]] as WorkerEvent[][]) {
      for (const [type, effect, code] of [
        ['QUIT', 'closeNow', 0],
        ['INT', 'closeNow', 0],
        ['ABRT', 'logAbort', WORKER_ABORTED],
      ] as const) {
        const w = worker();
        w.send({ type: 'BOOTED' }, ...from, { type });
        expect(w.effects.at(-1)).toBe(effect);
        expect(w.output()?.exitCode).toBe(code);
      }
    }
    const w = worker();
    w.send({ type: 'BOOTED' }, { type: 'TERM' }, { type: 'PARENT_GONE' });
    expect(w.state()).toBe('orphaned');
  });

  it('ABRT while booting aborts', () => {
    const w = worker();
    w.send({ type: 'ABRT' });
    expect(w.output()?.exitCode).toBe(WORKER_ABORTED);
  });

  it('a stop while booting is immediate', () => {
    for (const type of ['TERM', 'QUIT', 'INT', 'PARENT_GONE'] as const) {
      const w = worker();
      w.send({ type });
      expect(w.state()).toBe('exited');
    }
  });

  it('USR1 reopens logs and stray signals are only logged, in any live state', () => {
    const w = worker();
    w.send({ type: 'USR1' }, { type: 'IGNORED', signal: 'SIGHUP' }, { type: 'BOOTED' }, { type: 'IGNORED', signal: 'SIGTTIN' });
    expect(w.state()).toBe('ready');
    expect(w.effects.filter((e) => e === 'reopenLogs' || e === 'logIgnored')).toEqual(['reopenLogs', 'logIgnored', 'logIgnored']);
  });
});
