/**
 * The master machine's effects, declared once: each name with its parameters. The machine's
 * setup derives its action stubs from this, its decisions enqueue only these calls, and the host
 * (src/master/host/effects.ts) implements this very interface, so a renamed effect, a missing one or
 * a parameter of the wrong type fails the type check on both sides of the seam.
 */
import type { DrainReason } from './protocol.js';
import type { WorkerKillSignal } from './signals.js';

/** What a TERM tells the worker: why it drains, and the milliseconds it has before the SIGKILL. */
export interface DrainNote {
  reason: DrainReason;
  graceMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogParams {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export interface MasterEffects {
  /** `yieldCpu`: it boots while the workers it replaces still serve, so it may boot at a lower priority. */
  spawnWorker(params: { id: number; generation: number; yieldCpu: boolean }): void;
  /**
   * `socketsHeld`: a TERM while the master still holds the sockets (master.context.ts's socketsHeld).
   * `drain`, on every TERM: why the worker goes and how long it has until its SIGKILL (the host
   * tells the worker both just before the signal); null for the other signals.
   */
  signalWorker(params: { id: number; workerPid: number | null; signal: WorkerKillSignal; socketsHeld: boolean; drain: DrainNote | null }): void;
  /** Once per stop, before the workers are told to go. `unlink`: remove a unix socket's file too. */
  closeListeners(params: { unlink: boolean }): void;
  reopenLogs(): void;
  /** Hot upgrade: start a new master from the files on disk, with the sockets. */
  startUpgrade(): void;
  /** In a new master: tell the old one every worker is ready. */
  tellOldMaster(): void;
  /** In a promoted master: <pidfile>.2 becomes <pidfile>. */
  claimPidfile(): void;
  log(params: LogParams): void;
}

export type EffectName = keyof MasterEffects;

/** An effect's parameters, or undefined for one that takes none. */
export type EffectParams<K extends EffectName> = Parameters<MasterEffects[K]> extends [infer P] ? P : undefined;

/** An effect as a decision enqueues it. */
export type EffectCall<K extends EffectName = EffectName> = {
  [N in K]: EffectParams<N> extends undefined ? { type: N } : { type: N; params: EffectParams<N> };
}[K];

/** The effects as XState's parameterized action objects (what a decision's `enqueue` takes). */
export type EffectObject = { [N in EffectName]: { type: N; params: EffectParams<N> } }[EffectName];

/** The action implementations XState takes for the effects: each one calls the host's. */
export type EffectActions = { [K in EffectName]: (args: unknown, params: EffectParams<K>) => void };

/** The host's effects as the machine's actions (its `.provide({ actions })`). */
export function effectActions(effects: MasterEffects): EffectActions {
  const call =
    <K extends EffectName>(name: K) =>
    (_: unknown, params: EffectParams<K>) =>
      (effects[name] as (p: EffectParams<K>) => void)(params);
  return {
    spawnWorker: call('spawnWorker'),
    signalWorker: call('signalWorker'),
    closeListeners: call('closeListeners'),
    reopenLogs: call('reopenLogs'),
    startUpgrade: call('startUpgrade'),
    tellOldMaster: call('tellOldMaster'),
    claimPidfile: call('claimPidfile'),
    log: call('log'),
  };
}

/** The do-nothing stubs the machine is set up with: the same names and parameters. */
export const effectStubs: EffectActions = {
  spawnWorker: () => {},
  signalWorker: () => {},
  closeListeners: () => {},
  reopenLogs: () => {},
  startUpgrade: () => {},
  tellOldMaster: () => {},
  claimPidfile: () => {},
  log: () => {},
};
