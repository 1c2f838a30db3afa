import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { masterEffects, type EffectDeps } from '../../../../src/master/host/effects.js';
import { hostedMasterMachine } from '../../../../src/master/host/machine.js';

function memoryLog() {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      records.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), records };
}

const upgrade = { start: () => {}, tellOldMaster: () => {}, claimPidfile: () => {} };
const deps = (log: EffectDeps['log'], over: Partial<EffectDeps> = {}): EffectDeps => ({
  workers: { spawn: () => {}, signal: () => {} },
  sockets: { close: () => {} },
  log,
  reopenLogs: () => {},
  upgrade,
  ...over,
});

describe('masterEffects', () => {
  it('logs an effect that throws instead of letting it stop the master actor', () => {
    const { log, records } = memoryLog();
    const effects = masterEffects(
      deps(log, {
        workers: {
          spawn: () => {
            throw new Error('EAGAIN');
          },
          signal: () => {},
        },
      }),
    );
    expect(() => effects.spawnWorker({ id: 1, generation: 1, yieldCpu: false })).not.toThrow();
    expect(records).toContainEqual(expect.objectContaining({ effect: 'spawnWorker', msg: 'effect spawnWorker failed' }));
  });

  it('turns a configuration that fails to load into CONFIG_FAILED with the reason', async () => {
    const { log, records } = memoryLog();
    const sent: unknown[] = [];
    const machine = hostedMasterMachine(
      masterEffects(deps(log)),
      async () => {
        throw new Error("invalid --workers 'x'");
      },
      () => 7,
      log,
    );
    const actor = createActor(machine, {
      input: { settings: { workers: 1, timeoutMs: 0, gracefulTimeoutMs: 0, bootTimeoutMs: 0 }, now: 0 },
      inspect: (ev) => {
        if (ev.type === '@xstate.event' && ev.event.type === 'CONFIG_FAILED') sent.push(ev.event);
      },
    }).start();
    actor.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11, now: 1 });
    actor.send({ type: 'WORKER_READY', id: 1, now: 2 });
    actor.send({ type: 'HUP', now: 3 });
    await new Promise((ok) => setImmediate(ok));
    expect(sent).toEqual([{ type: 'CONFIG_FAILED', reason: "invalid --workers 'x'", now: 7 }]);
    expect(records).toContainEqual(expect.objectContaining({ level: 50, msg: "configuration failed to load: invalid --workers 'x'" }));
    actor.stop();
  });

  it('notes to a TERMed worker why it drains, its grace and whether the master holds the sockets, as the machine says', () => {
    const { log } = memoryLog();
    const calls: unknown[][] = [];
    const closed: boolean[] = [];
    const effects = masterEffects(
      deps(log, {
        workers: {
          spawn: () => {},
          signal: (...args: unknown[]) => {
            calls.push(args);
          },
        },
        sockets: {
          close: (unlink) => {
            closed.push(unlink);
          },
        },
      }),
    );
    effects.signalWorker({ id: 1, workerPid: 11, signal: 'SIGTERM', socketsHeld: true, drain: { reason: 'reload', graceMs: 30_000 } });
    effects.signalWorker({ id: 2, workerPid: 12, signal: 'SIGQUIT', socketsHeld: false, drain: null });
    effects.closeListeners({ unlink: false });
    effects.signalWorker({ id: 3, workerPid: 13, signal: 'SIGTERM', socketsHeld: false, drain: { reason: 'stop', graceMs: 5000 } });
    expect(closed).toEqual([false]);
    expect(calls).toEqual([
      [1, 'SIGTERM', { statefork: 1, kind: 'drain', reason: 'reload', graceMs: 30_000, socketsHeld: true }],
      [2, 'SIGQUIT', undefined],
      [3, 'SIGTERM', { statefork: 1, kind: 'drain', reason: 'stop', graceMs: 5000, socketsHeld: false }],
    ]);
  });
});
