/**
 * A worker process: the worker machine with real effects, fed by its signals and its parent's
 * disconnect. It loads the app, listens on the inherited sockets, bumps its heartbeat, and exits
 * with a code of the exit-code table.
 */
import { createActor } from 'xstate';
import { EXIT } from '../../machines/exit-codes.js';
import { workerMessage, type MasterMessage } from '../../machines/protocol.js';
import { WORKER_SIGNALS } from '../../machines/signals.js';
import { drainBound, workerMachine, type WorkerEvent } from '../../machines/worker.machine.js';
import { signals$ } from '../adapters/signals.js';
import { touch } from '../adapters/heartbeat.js';
import type { LogSetup } from '../log-setup.js';
import { transitionLogger } from '../transition-log.js';
import type { Server } from 'node:http';
import { BootError } from './app.js';
import { loadApp } from './app-load.js';
import { listenTargets, Serving } from './serving.js';
import { loadMeter } from './load-meter.js';
import { statsReporter } from './stats-reporter.js';
import { onSharedBeat } from './shared-beat.js';
import { startWatchdog } from './watchdog.js';
import { startDraining } from './drain-signal.js';
import { createAccessLog } from './access-log.js';
import { recycling } from './recycling.js';
import { proxyReader, trustedPeers } from './proxy-protocol.js';
import { callHook, type Hooks } from '../hooks.js';
import type { WorkerSettings } from '../../machines/worker-settings.js';
import type { MasterChannel } from './channel.js';

/** An orphaned worker finishes what is in flight for at most this long: no orphan outlives 1 s. */
const ORPHAN_DRAIN_MS = 700;
const PARENT_POLL_MS = 200;
/** How long a TERMed worker waits for the master's note that comes with it (it is usually there already). */
const NOTE_WAIT_MS = 100;

export function runWorker(settings: WorkerSettings, { logger: log, reopen }: LogSetup, channel: MasterChannel, hooks: Hooks = {}): void {
  const sendToMaster = channel.send;
  let serving: Serving | null = null;
  // What a worker hook receives.
  const worker = { id: settings.id, pid: process.pid, generation: settings.generation };
  // Opened as the worker boots: a file it cannot open is a boot failure with its reason.
  let accessLog: ReturnType<typeof createAccessLog> | undefined;
  let pending: Promise<void> = Promise.resolve();
  // The master's note before its TERM (why, how long until its SIGKILL); none from anyone else.
  let note: MasterMessage | null = null;
  let bound: NodeJS.Timeout | undefined;
  let noteCame: (() => void) | null = null;
  /**
   * Resolves once the master's note is here, or after `ms` (a TERM from anyone else brings none).
   * The timeout gives way to one more poll of the channel: on a loaded machine the loop may wake
   * with the timer due and the note still unread in the socket.
   */
  const noteBefore = (ms: number) =>
    new Promise<void>((resolve) => {
      if (note || !channel.connected) return resolve();
      const timer = setTimeout(() => setImmediate(resolve), ms);
      noteCame = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  let endCloseMs = 0;
  const send = (e: WorkerEvent) => actor.send(e);
  const recycle = recycling(settings.recycle, (reason, detail) => {
    log.info({ reason, ...detail }, `recycling limit reached (${reason}): asking the master for a replacement`);
    void sendToMaster(workerMessage.recycle(reason));
  });

  // The PROXY protocol binds' header reader; it also counts headers sent to the other binds.
  const trusted = trustedPeers(settings.forwardedAllowIps);
  const proxy = { binds: settings.proxyBinds, reader: proxyReader(trusted, settings.proxyHeaderTimeoutMs), trusted };
  // Serving is made as the app is loaded: for a captured listen, before its server is bound.
  const serve = (server: Server) =>
    (serving = new Serving(
      server,
      settings.keepAliveMs,
      accessLog,
      {
        pre: hooks.preRequest ? (req) => void callHook(hooks, 'preRequest', log, worker, req) : undefined,
        post: hooks.postRequest ? (req, res) => void callHook(hooks, 'postRequest', log, worker, req, res) : undefined,
        counted: recycle.requestLimit > 0 ? recycle.served : undefined,
        measure: settings.measureDurations,
      },
      proxy,
    ));

  /**
   * An app that exported nothing and has not listened by shortly before --boot-timeout fails
   * with the reason (what it exported, the forms), rather than being killed without one.
   */
  const listenDeadline = (bootMs: number) => (bootMs > 0 ? { byMs: bootMs - Math.min(2000, bootMs / 10), limit: `--boot-timeout ${bootMs / 1000} s` } : null);

  const actor = createActor(
    workerMachine.provide({
      actions: {
        boot: () => {
          Promise.resolve()
            .then(() => {
              if (settings.accessLog) {
                accessLog = createAccessLog(settings.accessLog.target, settings.accessLog.format, (lost, code) => {
                  log.warn({ lost, err: code }, `${lost} access log line${lost === 1 ? '' : 's'} could not be written (${code}): writing again`);
                });
              }
              const [target] = listenTargets(settings.listenFds, settings.reuseBinds);
              return loadApp(settings.app, log, {
                limits: settings.limits,
                tls: settings.tls,
                listen: { target, attach: serve },
                deadline: listenDeadline(settings.bootTimeoutMs),
              });
            })
            .then(async ({ server, captured }) => {
              if (captured) log.info({ asked: captured.asked }, `the app's own listen on ${captured.asked} is served on statefork's sockets`);
              await callHook(hooks, 'postWorkerInit', log, worker);
              serving ??= serve(server);
              await serving.listen(settings.listenFds, settings.reuseBinds).catch((e: unknown) => {
                throw new BootError(EXIT.WORKER_BOOT_ERROR, `cannot listen on the inherited sockets: ${(e as Error).message}`);
              });
              send({ type: 'BOOTED' });
            })
            .catch((e: unknown) => {
              const exitCode = e instanceof BootError ? e.exitCode : EXIT.WORKER_BOOT_ERROR;
              send({ type: 'BOOT_FAILED', exitCode, reason: (e as Error).message });
            });
        },
        announceReady: () => {
          pending = sendToMaster(workerMessage.ready());
        },
        reportFailure: ({ context }) => {
          log.error({ exitCode: context.exitCode }, context.reason ?? 'boot failed');
          pending = sendToMaster(workerMessage.failed(context.reason ?? 'boot failed'));
        },
        drain: () => {
          const swept = (sweep: boolean) =>
            log.info(
              { sweepBacklog: sweep },
              sweep ? 'draining: accepting what waits in the backlog first' : 'draining: retired while the master holds the sockets',
            );
          // The master writes its note just before its TERM; the two may be read in either order.
          void noteBefore(NOTE_WAIT_MS).then(() => {
            void serving!.drain(undefined, swept).then(() => send({ type: 'DRAINED' }));
            const reason = note?.reason ?? 'stop';
            const { endInMs, closeMs } = drainBound(note?.graceMs ?? settings.gracefulTimeoutMs);
            log.info(
              { reason, connections: serving!.connectionKinds(), endInMs },
              `draining (${reason}): the app is told; what is still open in ${endInMs} ms is ended by the worker`,
            );
            startDraining(reason);
            bound = setTimeout(() => send({ type: 'DRAIN_DEADLINE' }), endInMs);
            bound.unref();
            endCloseMs = closeMs;
          });
        },
        endConnections: () => {
          const left = serving!.connectionKinds();
          log.warn(
            { connections: left },
            `graceful timeout near: ending the ${left.open} connection${left.open === 1 ? '' : 's'} still open (WebSockets get a 1001 close)`,
          );
          serving!.endAll(endCloseMs);
        },
        drainBriefly: () => {
          log.warn('master is gone: finishing in-flight requests, then exiting');
          startDraining('stop');
          if (!serving) return send({ type: 'DRAINED' });
          void serving.drain(ORPHAN_DRAIN_MS).then(() => send({ type: 'DRAINED' }));
        },
        closeNow: () => {
          void callHook(hooks, 'workerInt', log, worker);
          serving?.closeNow();
        },
        logAbort: () => {
          log.error({ stack: new Error('aborted').stack }, 'aborted by the master: the heartbeat stopped (timeout)');
          void callHook(hooks, 'workerAbort', log, worker);
        },
        reopenLogs: () => {
          reopen();
          try {
            accessLog?.reopen();
          } catch (e) {
            log.error({ err: (e as Error).message }, `${(e as Error).message}; still writing to the file open before`);
          }
          log.info('log file reopened');
        },
        logIgnored: ({ event }) => log.debug({ signal: event.type === 'IGNORED' ? event.signal : event.type }, 'signal ignored by worker'),
      },
    }),
    { inspect: transitionLogger('worker', log) },
  );

  // The worker's figures for the master's views, thinned (./stats-reporter.ts).
  const meter = loadMeter();
  const reportStats = statsReporter(
    channel,
    meter,
    proxy.reader.rejected,
    () => serving,
    () => accessLog?.failures() ?? 0,
  );
  // On the host's shared beat: all the workers' reports reach the master in one wake-up.
  onSharedBeat(settings.heartbeatMs, () => void reportStats());

  // --hang-stacks: the watchdog thread watches the same beat, and takes the stack when it stops.
  const watchdog = settings.hangStacks ? startWatchdog(settings.hangStacks.stallMs, log) : null;
  const heartbeat = setInterval(() => {
    watchdog?.beat();
    if (settings.recycle.maxMemoryMb > 0) recycle.beat(process.memoryUsage.rss());
    try {
      touch(settings.heartbeatFd);
    } catch {
      // the master closed our heartbeat file: it is going away, the parent check will see it
    }
  }, settings.heartbeatMs);
  heartbeat.unref();

  // The master's note before its TERM (see masterMessage.drain).
  channel.onMessage((message) => {
    note = message;
    if (serving) serving.socketsHeld = message.socketsHeld;
    noteCame?.();
  });

  // Parent death: the channel closes at once; the ppid check covers a master that died
  // before this process got going (then ppid was never the master's).
  channel.onGone(() => send({ type: 'PARENT_GONE' }));
  const parentCheck = setInterval(() => {
    if (process.ppid !== settings.masterPid) send({ type: 'PARENT_GONE' });
  }, PARENT_POLL_MS);
  parentCheck.unref();

  const signalSub = signals$(WORKER_SIGNALS).subscribe(({ type, signal }) => send(type === 'IGNORED' ? { type, signal } : { type }));

  actor.subscribe({
    complete: () => {
      const { exitCode } = actor.getSnapshot().context;
      log.info({ exitCode }, 'worker exiting');
      signalSub.unsubscribe();
      clearTimeout(bound);
      meter.stop();
      // A boot failure's reason must reach the master before this process goes.
      const timeout = new Promise((ok) => setTimeout(ok, 500).unref());
      const exitHook = callHook(hooks, 'workerExit', log, worker, exitCode);
      void Promise.race([Promise.all([pending, exitHook, reportStats(true)]), timeout]).then(() => process.exit(exitCode));
    },
  });
  actor.start();
}
