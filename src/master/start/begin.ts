/**
 * The first step of a master's start: its logger, the orphan reaper, the live configuration, the
 * step observer and the handle hooks see. Nothing here can fail with a bad environment; the
 * checks come next (./acquire.ts).
 */
import type { Config } from '../../config/options.js';
import { createLogger, type Logger, type LogSetup } from '../../log.js';
import { Subject } from '../../adapters/rx-operators.js';
import type { Hooks } from '../../hooks.js';
import { LiveConfig, type HookMaster, type Reloaded } from '../host/live-config.js';
import type { HostCommand } from '../host/sources.js';
import { MasterSteps } from '../host/steps.js';
import { startOrphanReaper, type OrphanReaper } from '../process/orphan-reaper.js';

/** What the master begins with, shared by the steps of its start. */
export interface Begun {
  logging: LogSetup;
  log: Logger;
  reaper: OrphanReaper | null;
  live: LiveConfig;
  /** The master's clock: every event of its machine is stamped with it. */
  clock: () => number;
  steps: MasterSteps;
  /** The master as hooks see it. */
  hookMaster: HookMaster;
  /** Commands the host gives its machine (TERM from stop(), a control client's, a fault). */
  commands$: Subject<HostCommand>;
}

export interface BeginOptions {
  reload?: () => Reloaded | Promise<Reloaded>;
  hooks?: Hooks;
  logging?: LogSetup;
}

export function begin(initial: Config, options: BeginOptions): Begun {
  const logging =
    options.logging ??
    createLogger({ level: initial.logLevel, errorLog: initial.errorLog, fileMode: initial.logFileMode, base: { role: 'master', pid: process.pid } });
  const log = logging.logger;
  // First: it must see every child libuv spawns (a hook's too) to never wait for one of them.
  const reaper = startOrphanReaper(log);
  const live = new LiveConfig(initial, options.hooks, options.reload, log);
  const steps = new MasterSteps(log);
  const hookMaster: HookMaster = {
    pid: process.pid,
    get config() {
      return live.config;
    },
    get workers() {
      return steps.view?.context.workers ?? [];
    },
    get state() {
      return steps.view?.state ?? 'starting';
    },
  };
  return { logging, log, reaper, live, clock: () => performance.now(), steps, hookMaster, commands$: new Subject<HostCommand>() };
}
