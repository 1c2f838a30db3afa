/**
 * The master process, a thin host around the master machine. Its start is a list of steps, each
 * in ./start/: begin (logger, live configuration, step observer), prepare and acquire (the
 * checks, the sockets, the pidfile, the worker registry, the inspector), host the machine with
 * its effects and views, observe its steps, and run until it halts.
 */
import type { Config } from '../config/options.js';
import type { Hooks } from '../hooks.js';
import type { LogSetup } from '../log.js';
import type { Reloaded } from './host/live-config.js';
import type { Command } from './sockets/upgrade.js';
import { begin } from './start/begin.js';
import { acquire, prepare } from './start/acquire.js';
import type { MasterActor } from './host/machine.js';
import { hostMachine } from './start/hosting.js';
import { observeSteps } from './start/observe.js';
import { runUntilHalted } from './start/run.js';

export type { Reloaded } from './host/live-config.js';

export interface MasterOptions {
  /** Re-reads the configuration (and hooks) on HUP; by default the one given is kept. */
  reload?: () => Reloaded | Promise<Reloaded>;
  /** Server hooks from the configuration file. */
  hooks?: Hooks;
  /** Already set up logging (the CLI makes it early to report bind retries). */
  logging?: LogSetup;
  /** How to start statefork again for a hot upgrade (USR2); without it USR2 cannot upgrade. */
  command?: Command;
  /**
   * Install the last-resort handler: an error nothing caught (a bug, a hook that throws later on
   * its own) stops the workers gracefully and ends with exit 1, instead of killing the master
   * and orphaning them. The CLI installs it; an embedded master leaves the process's handlers to
   * the program that embeds it.
   */
  faultHandler?: boolean;
}

export interface Master {
  pid: number;
  /** Where clients connect, one per --bind. */
  urls: string[];
  /** Resolves with the exit code once the master has halted (every worker gone). */
  done: Promise<number>;
  /** Graceful stop, as TERM; `quick` stops as QUIT. */
  stop(quick?: boolean): void;
  /** Resolves once the first generation serves (never, if it halts first). */
  serving: Promise<void>;
  /** The live master actor, for inspection. */
  actor: MasterActor;
}

export async function startMaster(initial: Config, options: MasterOptions = {}): Promise<Master> {
  const begun = begin(initial, options);
  await prepare(begun);
  const held = await acquire(begun);
  const hosted = await hostMachine(begun, held, options.command);
  const serving = observeSteps(begun, held, hosted);
  const done = runUntilHalted(begun, held, hosted, options.faultHandler === true);
  hosted.actor.start();
  return {
    pid: process.pid,
    urls: held.sockets.urls,
    done,
    serving,
    stop: (quick = false) => begun.commands$.next({ type: quick ? 'QUIT' : 'TERM' }),
    actor: hosted.actor,
  };
}
