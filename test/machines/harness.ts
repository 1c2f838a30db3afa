/**
 * Drives the real master machine in-process with effects recorded instead of carried out. Time
 * is virtual: every event carries the `now` the test chooses.
 */
import { createActor, fromCallback } from 'xstate';
import { effectActions } from '../../machines/master.effects.js';
import { masterMachine } from '../../machines/master.machine.js';
import type { MasterContext, MasterSettings } from '../../machines/master.context.js';
import type { WorkerHandle } from '../../machines/worker-handle.js';
import type { MasterEvent } from '../../machines/master.events.js';
import { stateName } from '../../machines/state-name.js';

export type Recorded =
  | { type: 'spawn'; id: number; generation: number; yieldCpu?: true }
  | { type: 'signal'; id: number; signal: string }
  | { type: 'closeListeners'; unlink: boolean }
  | { type: 'reopenLogs' }
  | { type: 'loadConfig' }
  | { type: 'startUpgrade' }
  | { type: 'tellOldMaster' }
  | { type: 'claimPidfile' }
  | { type: 'log'; level: string; msg: string; fields: Record<string, unknown> };

export const SETTINGS: MasterSettings = { workers: 2, timeoutMs: 30_000, gracefulTimeoutMs: 30_000, bootTimeoutMs: 60_000 };

type Payload<T> = T extends { now: number } ? Omit<T, 'now'> : never;
type Spawn = Extract<Recorded, { type: 'spawn' }>;
type Signal = Extract<Recorded, { type: 'signal' }>;
type Log = Extract<Recorded, { type: 'log' }>;

export interface Harness {
  actor: ReturnType<typeof createActor<typeof masterMachine>>;
  effects: Recorded[];
  readonly now: number;
  advance(ms: number): Harness;
  send(e: Payload<MasterEvent>): Harness;
  state(): string;
  ctx(): MasterContext;
  workers(): WorkerHandle[];
  spawned(): Spawn[];
  signals(signal?: string): Signal[];
  logs(re: RegExp): Log[];
  readyAll(): Harness;
  exit(id: number, code?: number | null, signal?: string | null): Harness;
  tick(silent?: number[]): Harness;
}

/** `upgradeFrom`: drive a new master started by the USR2 of that pid. */
export function drive(settings: Partial<MasterSettings> = {}, opts: { onLoadConfig?: () => void; upgradeFrom?: number } = {}): Harness {
  const effects: Recorded[] = [];
  let now = 0;
  const machine = masterMachine.provide({
    actions: effectActions({
      spawnWorker: (p) => {
        effects.push({ type: 'spawn', id: p.id, generation: p.generation, ...(p.yieldCpu ? { yieldCpu: true } : {}) });
      },
      signalWorker: (p) => {
        effects.push({ type: 'signal', id: p.id, signal: p.signal });
      },
      closeListeners: (p) => {
        effects.push({ type: 'closeListeners', unlink: p.unlink });
      },
      startUpgrade: () => {
        effects.push({ type: 'startUpgrade' });
      },
      tellOldMaster: () => {
        effects.push({ type: 'tellOldMaster' });
      },
      claimPidfile: () => {
        effects.push({ type: 'claimPidfile' });
      },
      reopenLogs: () => {
        effects.push({ type: 'reopenLogs' });
      },
      log: ({ level, msg, ...fields }) => {
        effects.push({ type: 'log', level, msg, fields });
      },
    }),
    // The configuration's re-read: recorded as it starts; the test sends its outcome.
    actors: {
      loadConfig: fromCallback(() => {
        effects.push({ type: 'loadConfig' });
        opts.onLoadConfig?.();
      }),
    },
  });
  const actor = createActor(machine, { input: { settings: { ...SETTINGS, ...settings }, now, upgradeFrom: opts.upgradeFrom ?? null } }).start();
  const h: Harness = {
    actor,
    effects,
    get now() {
      return now;
    },
    /** Moves virtual time forward. */
    advance(ms: number) {
      now += ms;
      return h;
    },
    send(e: Payload<MasterEvent>) {
      actor.send({ ...e, now });
      return h;
    },
    state: () => stateName(actor.getSnapshot().value),
    ctx: () => actor.getSnapshot().context,
    workers: () => actor.getSnapshot().context.workers,
    spawned: () => effects.filter((e): e is Spawn => e.type === 'spawn'),
    signals: (signal?: string) => effects.filter((e): e is Signal => e.type === 'signal' && (!signal || e.signal === signal)),
    logs: (re: RegExp) => effects.filter((e): e is Log => e.type === 'log' && re.test(e.msg)),
    /** Spawned + ready for every booting worker. */
    readyAll() {
      for (const w of h.workers())
        if (w.phase === 'spawning' || w.phase === 'booting') {
          if (w.pid === null) h.send({ type: 'WORKER_SPAWNED', id: w.id, pid: 1000 + w.id });
          h.send({ type: 'WORKER_READY', id: w.id });
        }
      return h;
    },
    exit(id: number, code: number | null = 0, signal: string | null = null) {
      return h.send({ type: 'WORKER_EXIT', id, code, signal });
    },
    /** A tick in which every live worker's heartbeat moved (or, with `silent`, did not). */
    tick(silent: number[] = []) {
      const beats: Record<number, number> = {};
      for (const w of h.workers()) {
        if (!silent.includes(w.id)) beats[w.id] = now;
        else if (w.beat !== null) beats[w.id] = w.beat; // the same stamp again: no news
      }
      return h.send({ type: 'TICK', beats });
    },
  };
  return h;
}
