/**
 * A worker process's own lifecycle, fed by its signals, its app's boot, its connections and its
 * parent's disconnect. Effects (boot, announce, drain, exit) are provided by src/worker/.
 *
 *   booting ──BOOTED──▶ ready ──TERM──▶ draining ──DRAINED──▶ exited
 *      │                  │                  └──DRAIN_DEADLINE──▶ ending ──DRAINED──▶ exited
 *      │                  ├──QUIT/INT──▶ quitting ──────────────▶ exited
 *      │                  ├──ABRT──▶ aborting ──────────────────▶ exited (1)
 *      │                  └──PARENT_GONE──▶ orphaned ──DRAINED──▶ exited
 *      └──BOOT_FAILED──▶ exited (3 or 4)
 */
import { assertEvent, assign, setup } from 'xstate';
import { EXIT, WORKER_ABORTED } from './exit-codes.js';

export type WorkerEvent =
  | { type: 'BOOTED' }
  | { type: 'BOOT_FAILED'; exitCode: number; reason: string }
  | { type: 'TERM' }
  | { type: 'QUIT' }
  | { type: 'INT' }
  | { type: 'ABRT' }
  | { type: 'USR1' }
  | { type: 'IGNORED'; signal: string }
  | { type: 'PARENT_GONE' }
  /** The drain's bound (the master's SIGKILL) is near: what is still open must be ended now. */
  | { type: 'DRAIN_DEADLINE' }
  | { type: 'DRAINED' };

export interface WorkerContext {
  exitCode: number;
  reason: string | null;
}

/**
 * When a draining worker ends what is still open itself (DRAIN_DEADLINE), given the grace it has
 * until the master's SIGKILL: early enough that every client gets its close frame or its clean
 * end and the process exits by itself. The master kills on its tick after the deadline, so the
 * worker keeps a margin: a quarter of the grace, at most a second; half of it is for the clients
 * to answer (`closeMs`), then what is left is destroyed.
 */
export const MAX_DRAIN_MARGIN_MS = 1000;

export function drainBound(graceMs: number): { endInMs: number; closeMs: number } {
  const margin = Math.min(MAX_DRAIN_MARGIN_MS, Math.floor(graceMs / 4));
  return { endInMs: graceMs - margin, closeMs: Math.floor(margin / 2) };
}

export const workerMachine = setup({
  types: {
    context: {} as WorkerContext,
    events: {} as WorkerEvent,
    output: {} as WorkerContext,
  },
  actions: {
    // Effects, provided by src/worker/runtime.ts.
    boot: () => {},
    announceReady: () => {},
    reportFailure: () => {},
    drain: () => {},
    drainBriefly: () => {},
    endConnections: () => {},
    closeNow: () => {},
    logAbort: () => {},
    reopenLogs: () => {},
    logIgnored: () => {},
    markAborted: assign({ exitCode: WORKER_ABORTED }),
    recordBootFailure: assign(({ event }) => {
      assertEvent(event, 'BOOT_FAILED');
      return { exitCode: event.exitCode, reason: event.reason };
    }),
  },
}).createMachine({
  id: 'worker',
  context: { exitCode: EXIT.OK, reason: null },
  initial: 'booting',
  output: ({ context }) => context,
  on: {
    USR1: { actions: 'reopenLogs' },
    IGNORED: { actions: 'logIgnored' },
  },
  states: {
    booting: {
      entry: 'boot',
      on: {
        BOOTED: 'ready',
        BOOT_FAILED: {
          target: 'exited',
          actions: ['recordBootFailure', 'reportFailure'],
        },
        // Nothing is being served yet, so any stop is immediate.
        TERM: 'quitting',
        QUIT: 'quitting',
        INT: 'quitting',
        PARENT_GONE: 'quitting',
        ABRT: 'aborting',
      },
    },
    ready: {
      entry: 'announceReady',
      on: { TERM: 'draining', QUIT: 'quitting', INT: 'quitting', ABRT: 'aborting', PARENT_GONE: 'orphaned' },
    },
    draining: {
      entry: 'drain',
      on: { DRAINED: 'exited', DRAIN_DEADLINE: 'ending', QUIT: 'quitting', INT: 'quitting', ABRT: 'aborting', PARENT_GONE: 'orphaned' },
    },
    /**
     * Connections outlived the graceful timeout (a WebSocket the app never closed): the worker
     * ends them itself, a close frame or a clean end rather than the master's SIGKILL, and exits.
     */
    ending: {
      entry: 'endConnections',
      on: { DRAINED: 'exited', QUIT: 'quitting', INT: 'quitting', ABRT: 'aborting' },
    },
    /** The master is gone: finish what is in flight, briefly, and leave no orphan behind. */
    orphaned: {
      entry: 'drainBriefly',
      on: { DRAINED: 'exited', QUIT: 'quitting', INT: 'quitting', ABRT: 'aborting' },
    },
    quitting: { entry: 'closeNow', always: 'exited' },
    aborting: { entry: ['logAbort', 'markAborted'], always: 'exited' },
    exited: { type: 'final' },
  },
});

export type WorkerMachine = typeof workerMachine;
