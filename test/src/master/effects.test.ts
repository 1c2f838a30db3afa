import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { masterEffects } from '../../../src/master/effects.js';

function memoryLog() {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { records.push(JSON.parse(String(chunk))); done(); } });
  return { log: pino({ level: 'debug' }, stream), records };
}

const upgrades = { startUpgrade: () => {}, tellOldMaster: () => {}, claimPidfile: () => {} };

describe('masterEffects', () => {
  it('logs an effect that throws instead of letting it stop the master actor', () => {
    const { log, records } = memoryLog();
    const effects = masterEffects({
      workers: { spawn: () => { throw new Error('EAGAIN'); }, signal: () => {} } as never,
      listeners: [], log, reopenLogs: () => {}, reloadConfig: async () => { throw new Error('unused'); }, send: () => {}, ...upgrades,
    });
    expect(() => effects.spawnWorker(undefined, { id: 1, generation: 1, yieldCpu: false })).not.toThrow();
    expect(records).toContainEqual(expect.objectContaining({ effect: 'spawnWorker', msg: 'effect spawnWorker failed' }));
  });

  it('turns a configuration that fails to load into CONFIG_FAILED with the reason', async () => {
    const { log } = memoryLog();
    const sent: unknown[] = [];
    const effects = masterEffects({
      workers: {} as never, listeners: [], log, reopenLogs: () => {},
      reloadConfig: async () => { throw new Error("invalid --workers 'x'"); },
      send: (e) => sent.push(e), ...upgrades,
    });
    effects.loadConfig();
    await new Promise((ok) => setImmediate(ok));
    expect(sent).toEqual([{ type: 'CONFIG_FAILED', reason: "invalid --workers 'x'" }]);
  });

  it('notes to a TERMed worker that the master holds the sockets, until the listeners close', () => {
    const { log } = memoryLog();
    const calls: unknown[][] = [];
    const closed: boolean[] = [];
    const effects = masterEffects({
      workers: { signal: (...args: unknown[]) => calls.push(args) } as never,
      listeners: [{ close: (unlink: boolean) => closed.push(unlink) } as never], log, reopenLogs: () => {}, reloadConfig: async () => { throw new Error('unused'); }, send: () => {}, ...upgrades,
    });
    effects.signalWorker(undefined, { id: 1, workerPid: 11, signal: 'SIGTERM' });
    effects.signalWorker(undefined, { id: 2, workerPid: 12, signal: 'SIGQUIT' });
    effects.closeListeners(undefined, { unlink: false });
    effects.signalWorker(undefined, { id: 3, workerPid: 13, signal: 'SIGTERM' });
    expect(closed).toEqual([false]);
    expect(calls).toEqual([
      [1, 'SIGTERM', { statefork: 1, kind: 'sockets-held' }],
      [2, 'SIGQUIT', undefined],
      [3, 'SIGTERM', undefined],
    ]);
  });
});
