/**
 * Model-based tests of the worker machine with xstate/graph's createTestModel: every simple path
 * through the real machine is replayed against a worker actor with recording effects, checking
 * that each state does what it promises (boot, announce, drain, close, exit code).
 */
import { createActor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { workerMachine, type WorkerEvent } from '../../machines/worker.machine.js';
import { EXIT, WORKER_ABORTED } from '../../machines/exit-codes.js';

const EVENTS: WorkerEvent[] = [
  { type: 'BOOTED' },
  { type: 'BOOT_FAILED', exitCode: EXIT.APP_LOAD_ERROR, reason: 'app threw' },
  { type: 'BOOT_FAILED', exitCode: EXIT.WORKER_BOOT_ERROR, reason: 'cannot listen' },
  { type: 'TERM' },
  { type: 'QUIT' },
  { type: 'INT' },
  { type: 'ABRT' },
  { type: 'USR1' },
  { type: 'IGNORED', signal: 'SIGHUP' },
  { type: 'PARENT_GONE' },
  { type: 'DRAIN_DEADLINE' },
  { type: 'DRAINED' },
];

const model = createTestModel(workerMachine, { events: EVENTS });
const paths = model.getSimplePaths();

/** The system under test: the worker machine with effects that only record. */
function sut() {
  const effects: string[] = [];
  const names = ['boot', 'announceReady', 'reportFailure', 'drain', 'drainBriefly', 'endConnections', 'closeNow', 'logAbort', 'reopenLogs', 'logIgnored'];
  const actor = createActor(
    workerMachine.provide({
      actions: Object.fromEntries(
        names.map((n) => [
          n,
          () => {
            effects.push(n);
          },
        ]),
      ),
    }),
  ).start();
  return { actor, effects };
}

describe('worker machine, model-based', () => {
  it(`covers the machine with ${paths.length} simple paths`, () => {
    expect(paths.length).toBeGreaterThan(10);
  });

  for (const path of paths) {
    it(path.description, async () => {
      const s = sut();
      await path.test({
        // A finished worker takes no more events (a real one has exited).
        events: Object.fromEntries(
          EVENTS.map((e) => [
            e.type,
            ({ event }: { event: WorkerEvent }) => {
              if (s.actor.getSnapshot().status === 'active') s.actor.send(event);
            },
          ]),
        ),
        states: {
          booting: () => expect(s.effects).toEqual(['boot']),
          ready: () => expect(s.effects.filter((e) => e !== 'reopenLogs' && e !== 'logIgnored')).toEqual(['boot', 'announceReady']),
          draining: () => expect(s.effects.at(-1)).toMatch(/^(drain|reopenLogs|logIgnored)$/),
          orphaned: () => expect(s.effects).toContain('drainBriefly'),
          // Only a drain that began can reach its bound.
          ending: () => expect(s.effects.filter((e) => e === 'drain' || e === 'endConnections')).toEqual(['drain', 'endConnections']),
          exited: (snapshot) => {
            expect(s.actor.getSnapshot().status).toBe('done');
            const { exitCode } = s.actor.getSnapshot().context;
            expect(exitCode).toBe(snapshot.context.exitCode);
            if (s.effects.includes('logAbort')) expect(exitCode).toBe(WORKER_ABORTED);
            else if (s.effects.includes('reportFailure')) expect([EXIT.APP_LOAD_ERROR, EXIT.WORKER_BOOT_ERROR]).toContain(exitCode);
            else expect(exitCode).toBe(EXIT.OK);
          },
        },
      });
    });
  }
});
