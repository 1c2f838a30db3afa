/**
 * The master process, a thin host around the master machine: it acquires the sockets, starts
 * the machine with its sources (./sources.ts) and effects (./effects.ts, ./machine.ts), hands
 * every step to the observers (./steps.ts), and waits for the machine to halt.
 */
import { createActor } from 'xstate';
import { mayUnlinkSockets } from '../../machines/master.context.js';
import { masterView } from '../../machines/master.facts.js';
import { EXIT } from '../../machines/exit-codes.js';
import { masterSettings, tickInterval, type Config } from '../config/options.js';
import type { Hooks } from '../hooks.js';
import { createLogger, type LogSetup } from '../log.js';
import { masterControlHandler, startControlAndMetrics } from './control-and-metrics.js';
import { masterEffects } from './effects.js';
import { installFaultHandler } from './fault.js';
import { hookObserver } from './hook-observer.js';
import { openInspection, startInspection, type Inspection } from './inspection.js';
import { CONTROL_VERSION } from '../control/protocol.js';
import { LiveConfig, type HookMaster, type Reloaded } from './live-config.js';
import { reopenLogFiles } from './log-files.js';
import { hostedMasterMachine, type HostedMasterMachine } from './machine.js';
import { notifyObserver, systemdNotifier } from './notify.js';
import { MasterPidfile } from './pidfile.js';
import { checkWorkerTmpDir, prepareAccessLog } from './preflight.js';
import { acquireSocketSet, logListening, type SocketSet } from './socket-set.js';
import { masterEvents$, type HostCommand } from './sources.js';
import { loadSampler, logWorkerCount } from './load-sample.js';
import { MasterSteps } from './steps.js';
import { closeStrayFds } from './stray-fds.js';
import { oldMasterPid, Upgrader, type Command } from './upgrade.js';
import { logWorkerPhases } from './worker-log.js';
import { WorkerProcesses } from './worker-processes.js';
import { logWatchdogKind } from './hang-reports.js';
import { startOrphanReaper } from './orphan-reaper.js';
import { Subject } from '../adapters/rx-operators.js';

export type { Reloaded } from './live-config.js';

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
  actor: ReturnType<typeof createActor<HostedMasterMachine>>;
}

/** An onExit hook gets this long before the master exits anyway. */
const EXIT_HOOK_MS = 5000;

/** Before any socket: the mask, onStarting, and every check that can fail with one line. */
async function prepare(live: LiveConfig, hookMaster: HookMaster): Promise<void> {
  const { config } = live;
  // Before anything is created: unix sockets, the pidfile and log files get the mask.
  if (config.umask !== null) process.umask(config.umask);
  await live.hook('onStarting', hookMaster);
  checkWorkerTmpDir(config.workerTmpDir);
  prepareAccessLog(config.accessLog, config.workerIdentity, config.logFileMode);
}

function writePidfile(pidfile: MasterPidfile, logging: LogSetup): void {
  const reused = pidfile.write();
  if (reused) logging.logger.warn({ pidfile: pidfile.name, stalePid: reused }, `pidfile ${pidfile.name} named process ${reused}, which is not a statefork master (a stale file, its pid reused): replaced`);
}

/** Before the first worker: nothing the master was not given may reach a worker. */
function closeStrays(sockets: SocketSet, logging: LogSetup): void {
  const strays = closeStrayFds(sockets.listeners.map((l) => l.fd));
  if (strays.length) logging.logger.info({ fds: strays }, `closed ${strays.length} inherited file descriptor(s) statefork was not given (${strays.map((s) => s.fd).join(', ')}): workers must not inherit them`);
}

export async function startMaster(initial: Config, options: MasterOptions = {}): Promise<Master> {
  const logging = options.logging ?? createLogger({ level: initial.logLevel, errorLog: initial.errorLog, fileMode: initial.logFileMode, base: { role: 'master', pid: process.pid } });
  const log = logging.logger;
  // First: it must see every child libuv spawns (a hook's too) to never wait for one of them.
  const reaper = startOrphanReaper(log);
  const live = new LiveConfig(initial, options.hooks, options.reload, log);
  const clock = () => performance.now();
  const steps = new MasterSteps(log);
  const hookMaster: HookMaster = {
    pid: process.pid,
    get config() { return live.config; },
    get workers() { return steps.view?.context.workers ?? []; },
    get state() { return steps.view?.state ?? 'starting'; },
  };

  // 1. Prepare and acquire: every failure here is one line, and nothing is left behind.
  await prepare(live, hookMaster);
  const opened = openInspection(live.config, logging, clock);
  const upgradeFrom = oldMasterPid(process.env);
  const sockets = await acquireSocketSet(live.config, log, upgradeFrom);
  const pidfile = new MasterPidfile(live.config.pidfile, upgradeFrom !== null);
  // While the old master runs (not promoted yet), the unix socket files are its too.
  let unlinkAtEnd = upgradeFrom === null;
  const release = () => {
    sockets.close(unlinkAtEnd);
    pidfile.remove();
  };
  const workers = new WorkerProcesses(() => live.config, sockets.forWorker, log, logging.raw, {
    preFork: (worker) => void live.hook('preFork', hookMaster, worker),
    postFork: (worker) => void live.hook('postFork', hookMaster, worker),
  });
  const notify = systemdNotifier(process.env, log);
  const commands$ = new Subject<HostCommand>();
  let inspection: Inspection;
  try {
    writePidfile(pidfile, logging);
    closeStrays(sockets, logging);
    process.title = `statefork: master [${live.config.name}]`;
    logListening(sockets, Boolean(live.config.tls), log);
    logWorkerCount(live.config, log);
    logWatchdogKind(live.config.hangStacks && live.config.timeout > 0, log);
    inspection = await startInspection(live.config, logging, opened, workers.stats, workers.hangs, () => workers.beats(), upgradeFrom !== null);
  } catch (e) {
    release();
    throw e;
  }
  const watching = inspection;

  // 2. The machine, with its effects (created here, started last; its inspectors see it created).
  const upgrader = new Upgrader({
    command: options.command, listeners: sockets.listeners, pidfile, log, upgradeFrom,
    // systemd's notify socket went from this environment once read; the new master reports too.
    extraEnv: () => (notify ? { NOTIFY_SOCKET: notify.socket } : {}),
    preExec: () => void live.hook('preExec', hookMaster),
  });
  const effects = masterEffects({ workers, sockets, log, upgrade: upgrader, reopenLogs: () => reopenLogFiles(logging, live.config) });
  const machine = hostedMasterMachine(effects, () => live.reload(hookMaster), clock, log);
  const actor = createActor(machine, {
    input: { settings: masterSettings(live.config), now: clock(), upgradeFrom, workersBind: sockets.workersBind },
    inspect: (ev) => {
      steps.inspect(ev);
      watching.inspect(ev);
    },
  });
  // Before the first worker: a control socket, metrics or health address that cannot be served stops
  // the start with one line, like a bind.
  const views = await startControlAndMetrics(live.config, {
    view: () => masterView(actor.getSnapshot()), send: (type) => commands$.next({ type }), stats: workers.stats, hangs: workers.hangs, now: clock, log, newMaster: upgradeFrom !== null,
    logFailures: () => ({ error: logging.failures(), access: workers.stats.totals().logFailures, record: watching.recordFailures() }),
    tickMs: tickInterval(live.config),
    dashboardUrl: () => watching.dashboardUrl(),
    guards: () => ({ logDrops: workers.logDrops, watchdogDropped: workers.hangs.counts.dropped, orphansReaped: reaper?.reaped ?? 0 }),
  }).catch((e) => {
    watching.close();
    release();
    throw e;
  });
  // --inspector-controls: the page's commands run exactly as the control socket's.
  const pageControl = masterControlHandler({ view: () => masterView(actor.getSnapshot()), send: (type) => commands$.next({ type }), stats: workers.stats, hangs: workers.hangs, now: clock, log }, 'inspector');
  watching.attachControls(({ command, args }) => pageControl({ v: CONTROL_VERSION, id: null, command, args }));
  if (live.config.bootNice > 0 && !workers.priority.active) log.info({ bootNice: live.config.bootNice }, 'workers boot at normal priority: lowering it (--boot-nice) needs a master that can raise it again (CAP_SYS_NICE)');
  actor.on('workerExited', steps.fact);
  actor.on('scaled', steps.fact);

  // 3. The observers: each reads the step the machine states, computed once.
  const ready = new Promise<void>((resolve) => steps.observe((step) => { if (step.ready) resolve(); }));
  steps.observe((step) => logWorkerPhases(log, step));
  steps.observe(watching.step);
  steps.observe(views.step);
  steps.observe(hookObserver(live, hookMaster));
  if (notify) steps.observe(notifyObserver(notify, process.pid));

  // 4. Run until halted.
  const uninstallFaults = options.faultHandler ? installFaultHandler(log, (reason) => commands$.next({ type: 'FAULT', reason })) : () => {};
  const subscription = masterEvents$({ config: live.config, log, clock, workers$: workers.events$, beats: () => workers.beats(), sample: loadSampler(sockets.listeners, () => workers.stats.load(), () => workers.pids()), upgrade$: upgrader.events$, commands$ })
    .subscribe((e) => actor.send(e));
  const done = new Promise<number>((resolve) => {
    const finish = (exitCode: number) => {
      uninstallFaults();
      reaper?.stop();
      subscription.unsubscribe();
      views.close();
      unlinkAtEnd = mayUnlinkSockets(actor.getSnapshot().context);
      release();
      watching.close();
      const exitHook = live.hook('onExit', hookMaster, exitCode);
      void Promise.race([exitHook, new Promise((ok) => setTimeout(ok, EXIT_HOOK_MS).unref())]).then(() => resolve(exitCode));
    };
    actor.subscribe({
      complete: () => {
        const { exitCode, reason } = actor.getSnapshot().output ?? { exitCode: 1, reason: 'no output' };
        if (exitCode === 0) log.info({ exitCode }, 'halted');
        else log.fatal({ exitCode, reason }, reason ?? 'halted with an error');
        finish(exitCode);
      },
      // A bug in the machine itself: no worker may be left unsupervised.
      error: (err) => {
        log.fatal({ err }, 'master machine failed: killing every worker');
        workers.killAll();
        finish(EXIT.FAILURE);
      },
    });
  });
  actor.start();
  return {
    pid: process.pid,
    urls: sockets.urls,
    done,
    serving: ready,
    stop: (quick = false) => commands$.next({ type: quick ? 'QUIT' : 'TERM' }),
    actor,
  };
}
