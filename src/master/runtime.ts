/**
 * The master process: binds, then runs the master machine with real effects, fed by one merged
 * stream of signals, worker events and heartbeat ticks, each stamped with the monotonic time.
 */
import { performance } from 'node:perf_hooks';
import { createActor } from 'xstate';
import { EMPTY, map, merge, Subject, tap } from '../adapters/rx-operators.js';
import { dirname } from 'node:path';
import { fileChanges$ } from '../adapters/file-changes.js';

/** An editor's save is several file events: wait for this much quiet before reloading. */
const RELOAD_DEBOUNCE_MS = 300;
import { masterMachine } from '../../machines/master.machine.js';
import type { MasterContext } from '../../machines/master.context.js';
import type { MasterEvent } from '../../machines/master.events.js';
import { MASTER_SIGNALS, type MasterSignalEvent } from '../../machines/signals.js';
import { EXIT } from '../../machines/exit-codes.js';
import { signals$ } from '../adapters/signals.js';
import { ticks$ } from '../adapters/ticks.js';
import { masterSettings, tickInterval, type Config } from '../config/options.js';
import { createLogger, type LogSetup } from '../log.js';
import { transitionLogger } from '../transition-log.js';
import { masterEffects, type ConfigOutcome } from './effects.js';
import { acquireSockets } from './acquire.js';
import { MasterPidfile } from './pidfile.js';
import { stepNotification, systemdNotifier, type NotifyView } from './notify.js';
import { oldMasterGone$, oldMasterPid, startNewMaster, tellOldMaster, type Command, type UpgradeEvent } from './upgrade.js';
import { WorkerProcesses } from './worker-processes.js';
import { startViews, type Views } from './views.js';
import { logWorkerPhases } from './worker-log.js';
import { prepareAccessLog, checkWorkerTmpDir } from './preflight.js';
import { openRecording, record, reopenLogFiles } from './log-files.js';
import { InspectorHub } from '../inspector/hub.js';
import { StatforkError } from '../errors.js';
import { callHook, type Hooks } from '../hooks.js';
import { stateName } from '../transition-log.js';
import { serveInspector } from '../inspector/server.js';
import { closeStrayFds } from './stray-fds.js';
import { installFaultHandler } from './fault.js';

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
  /** The live master actor, for inspection. */
  actor: ReturnType<typeof createActor<typeof masterMachine>>;
}

export interface Reloaded {
  config: Config;
  hooks?: Hooks;
}

const notifyView = (s: { value: unknown; context: unknown }): NotifyView => {
  const c = s.context as MasterContext;
  return { state: stateName(s.value as never), target: c.target, upgrade: c.upgrade, upgradeFrom: c.upgradeFrom };
};

/** An onExit hook gets this long before the master exits anyway. */
const EXIT_HOOK_MS = 5000;

export async function startMaster(initial: Config, options: MasterOptions = {}): Promise<Master> {
  let config = initial;
  let hooks: Hooks = options.hooks ?? {};
  const logging = options.logging ?? createLogger({ level: config.logLevel, errorLog: config.errorLog, base: { role: 'master', pid: process.pid } });
  const log = logging.logger;
  // What a master hook receives: the master as it is when the hook runs.
  let running: ReturnType<typeof createActor<typeof masterMachine>> | null = null;
  const master = {
    pid: process.pid,
    get config() { return config; },
    get workers() { return running ? running.getSnapshot().context.workers : []; },
    get state() { return running ? stateName(running.getSnapshot().value) : 'starting'; },
  };
  // Before anything is created: unix sockets, the pidfile and log files get the mask.
  if (config.umask !== null) process.umask(config.umask);
  await callHook(hooks, 'onStarting', log, master);
  checkWorkerTmpDir(config.workerTmpDir);
  prepareAccessLog(config.accessLog, config.workerIdentity);
  // Left open to the end: the last steps (halted) come after the actor completes.
  const recording = openRecording(config.record, logging);
  // The new master of a hot upgrade: the old one (its parent) still runs.
  const upgradeFrom = oldMasterPid(process.env);
  const { listeners, workerBinds } = await acquireSockets(config, log, upgradeFrom);
  const pidfile = new MasterPidfile(config.pidfile, upgradeFrom !== null);
  // While the old master runs (not promoted yet), the unix socket files are its too.
  const release = () => {
    for (const l of listeners) l.close((running ? running.getSnapshot().context.upgradeFrom : upgradeFrom) === null);
    pidfile.remove();
  };
  const claimPidfile = () => {
    const claimed = pidfile.claim();
    if (claimed) log.info({ pidfile: claimed }, `pidfile ${claimed} is this master's now`);
  };
  try {
    const reused = pidfile.write();
    if (reused) log.warn({ pidfile: pidfile.name, stalePid: reused }, `pidfile ${pidfile.name} named process ${reused}, which is not a statefork master (a stale file, its pid reused): replaced`);
  } catch (e) {
    release();
    throw e;
  }
  // Before the first worker: nothing the master was not given may reach a worker.
  const strays = closeStrayFds(listeners.map((l) => l.fd));
  if (strays.length) log.info({ fds: strays }, `closed ${strays.length} inherited file descriptor(s) statefork was not given (${strays.map((s) => s.fd).join(', ')}): workers must not inherit them`);
  process.title = `statefork: master [${config.name}]`;
  for (const l of listeners) {
    const url = config.tls ? l.url.replace(/^http:/, 'https:') : l.url;
    log.info({ url, bind: l.spec.text }, `listening at ${url}`);
  }

  const clock = () => performance.now();
  const internal$ = new Subject<ConfigOutcome | UpgradeEvent | { type: MasterSignalEvent } | { type: 'FAULT'; reason: string }>();
  const workers = new WorkerProcesses(() => config, { fds: listeners.map((l) => l.fd), reuse: workerBinds }, log, logging.raw, {
    preFork: (worker) => void callHook(hooks, 'preFork', log, master, worker),
    postFork: (worker) => void callHook(hooks, 'postFork', log, master, worker),
  });
  if (config.bootNice > 0 && !workers.priority.active) log.info({ bootNice: config.bootNice }, 'workers boot at normal priority: lowering it (--boot-nice) needs a master that can raise it again (CAP_SYS_NICE)');
  const machine = masterMachine.provide({
    actions: masterEffects({
      workers, listeners, log, workersOwnSockets: workerBinds.length > 0,
      reopenLogs: () => reopenLogFiles(logging, config),
      reloadConfig: async () => {
        const next = options.reload ? await options.reload() : { config, hooks };
        if (JSON.stringify(next.config.binds) !== JSON.stringify(config.binds)) log.warn('--bind changed: sockets are kept as they are until a restart');
        config = { ...next.config, binds: config.binds };
        if (config.umask !== null) process.umask(config.umask);
        hooks = next.hooks ?? hooks;
        void callHook(hooks, 'onReload', log, master);
        return masterSettings(config);
      },
      send: (e) => internal$.next(e),
      startUpgrade: () => {
        if (!options.command) {
          internal$.next({ type: 'UPGRADE_EXIT', code: null, signal: null, reason: 'an embedded master cannot start itself again: hot upgrade needs the statefork command' });
          return;
        }
        void callHook(hooks, 'preExec', log, master);
        // systemd's notify socket went from this environment once read; the new master reports too.
        startNewMaster(options.command, listeners, (e) => internal$.next(e), notify ? { NOTIFY_SOCKET: notify.socket } : {});
      },
      tellOldMaster,
      claimPidfile,
    }) as never,
  });
  // The live inspector and the recording see every step the log sees.
  const hub = config.inspector || config.record ? new InspectorHub(clock) : null;
  record(recording, hub);
  const inspector = config.inspector ? await serveInspector(hub!, config.inspector.host, config.inspector.port, () => Object.fromEntries(workers.stats.byWorker())).catch((e: NodeJS.ErrnoException) => {
    release();
    throw new StatforkError('SF_BIND_FAILED', `cannot serve the inspector at ${config.inspector!.host}:${config.inspector!.port}: ${e.code ?? e.message}; choose another --inspector address`);
  }) : null;
  if (inspector) log.info({ inspector: inspector.url }, `inspector at ${inspector.url}`);
  // Stately's own inspector, for users with it at hand: the same inspection events, forwarded.
  const stately = config.inspectStately
    ? (await import('@statelyai/inspect')).createWebSocketInspector({ url: config.inspectStately, autoStart: true })
    : null;
  if (stately) log.info({ inspectStately: config.inspectStately }, `forwarding inspection events to ${config.inspectStately}`);
  const notify = systemdNotifier(process.env, log);
  let views: Views | null = null;
  const logTransitions = transitionLogger('master', log, (prev, next, cause) => {
    logWorkerPhases(log, prev?.context as MasterContext | null, next.context as MasterContext, cause);
    hub?.step(prev, next, cause);
    views?.step(prev, next, cause);
    const [before, after] = [prev?.context as MasterContext | undefined, next.context as MasterContext];
    if (before?.target !== after.target) void callHook(hooks, 'nworkersChanged', log, master, after.target, before?.target ?? null);
    const message = notify && stepNotification(prev && notifyView(prev), notifyView(next), process.pid);
    if (message) notify!(message);
    if (prev && stateName(prev.value) === 'booting' && stateName(next.value).startsWith('serving')) void callHook(hooks, 'whenReady', log, master);
  });
  const actor = createActor(machine, {
    input: { settings: masterSettings(config), now: clock(), upgradeFrom },
    inspect: (ev) => {
      logTransitions(ev);
      stately?.inspect.next?.(ev);
    },
  });

  const signalEvents$ = signals$(MASTER_SIGNALS).pipe(tap(({ signal }) => log.info({ signal }, `handling signal ${signal}`)));
  const workerEvents$ = workers.events$.pipe(tap((e) => {
    if (e.type === 'WORKER_EXIT') void callHook(hooks, 'childExit', log, master, { id: e.id, code: e.code, signal: e.signal });
  }));
  // --reload: a change to the app's files is a HUP, with the same readiness-gated reload.
  const reload$ = config.reload
    ? fileChanges$([{ path: dirname(config.app.path), isDirectory: true }, ...config.reload.extraFiles.map((path) => ({ path, isDirectory: false }))], RELOAD_DEBOUNCE_MS)
      .pipe(tap((files) => log.info({ files }, 'files changed: reloading')), map(() => ({ type: 'HUP' as const })))
    : EMPTY;
  const promoted$ = upgradeFrom !== null ? oldMasterGone$() : EMPTY;
  const events$ = merge(signalEvents$, workerEvents$, ticks$(tickInterval(config), () => workers.beats()), internal$, reload$, promoted$)
    .pipe(map((e) => ({ ...e, now: clock() }) as MasterEvent));

  let uninstallFaults = () => {};
  const done = new Promise<number>((resolve) => {
    const finish = (exitCode: number) => {
      uninstallFaults();
      subscription.unsubscribe();
      views?.close();
      release();
      void inspector?.close();
      stately?.stop();
      const exitHook = callHook(hooks, 'onExit', log, master, exitCode);
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
  running = actor;
  // Before the first worker: a control socket or metrics address that cannot be served stops
  // the start with one line, like a bind.
  views = await startViews(config, {
    snapshot: () => actor.getSnapshot(), send: (type) => internal$.next({ type }), stats: workers.stats, now: clock, log, newMaster: upgradeFrom !== null,
    logFailures: () => ({ error: logging.failures(), access: workers.stats.totals().logFailures, record: recording?.failures ?? 0 }),
  }).catch((e) => {
    release();
    void inspector?.close();
    throw e;
  });
  // Subscribe first: the actor holds events until it starts, and the first workers' spawn
  // events are emitted while it starts.
  const subscription = events$.subscribe((e) => actor.send(e));
  if (options.faultHandler) uninstallFaults = installFaultHandler(log, (reason) => internal$.next({ type: 'FAULT', reason }));
  actor.start();
  return {
    pid: process.pid,
    urls: [...listeners.map((l) => l.url), ...workerBinds.map((b) => `http://${b.host.includes(':') ? `[${b.host}]` : b.host}:${b.port}`)],
    done,
    stop: (quick = false) => internal$.next({ type: quick ? 'QUIT' : 'TERM' }),
    actor,
  };
}
