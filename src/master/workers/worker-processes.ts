/**
 * The runtime's registry of live worker processes (the master machine only holds their ids and
 * pids): spawning with the sockets and heartbeat file in stdio, signalling, and reading stamps.
 */
import type { ChildProcess } from 'node:child_process';
import { childProcess, fs } from '../../node-builtins.js';
import type { Socket } from 'node:net';
import { Subject } from '../../adapters/rx-operators.js';
import { childEvents$, type WorkerEvent } from '../../adapters/children.js';
import type { SocketSet } from '../sockets/socket-set.js';
import { HangReports } from './hang-reports.js';
import { busyLog } from './busy-log.js';
import { RequestStats } from '../../metrics/request-stats.js';
import { closeHeartbeatFile, createHeartbeatFile, readBeat } from '../../adapters/heartbeat.js';
import type { Config } from '../../config/options.js';
import type { Logger } from '../../log.js';
import { ENV, WORKER_FD } from '../../../machines/protocol.js';
import type { WorkerKillSignal } from '../../../machines/signals.js';
import { encodeMessage, type MasterMessage } from '../../../machines/protocol.js';
import { droppedRecord, MAX_LINE, relayLines, relayWorkerLog, workerRecord } from './worker-log-relay.js';
import { LogGate, type LogDrops } from './worker-log-gate.js';
import { bootPriority, type BootPriority } from './boot-priority.js';
import { distPath } from '../../dist-paths.js';
import { settingsForWorker } from './settings-for-worker.js';
import { inheritedExecArgv } from '../process/exec-argv.js';

const { fchownSync } = fs;
const { spawn } = childProcess();

const WORKER_ENTRY = distPath('src/worker/main.js');

export class WorkerProcesses {
  /** What reaches the master machine: every child event but the display-only statistics. */
  readonly events$ = new Subject<WorkerEvent>();
  /** Requests served, durations, connections and load, as the workers report them (inspector, control, metrics). */
  readonly stats = new RequestStats();
  private readonly live = new Map<number, { child: ChildProcess; heartbeatFd: number; channel: Socket; gate: LogGate }>();
  /** Worker log lines dropped over --worker-log-rate, since the start (the metrics). */
  readonly logDrops: LogDrops = { records: 0, bytes: 0 };
  /** Spawns asked for and not carried out yet: one per turn of the event loop. */
  private readonly queued = new Map<number, { generation: number; yieldCpu: boolean }>();
  private draining: NodeJS.Immediate | null = null;
  /** Booting workers at a lower CPU priority (--boot-nice), made from the configuration at start. */
  readonly priority: BootPriority;

  constructor(
    private readonly config: () => Config,
    /** The master's listening sockets (passed as fds), and the addresses workers bind themselves. */
    private readonly sockets: SocketSet['forWorker'],
    private readonly log: Logger,
    /** Writes a record that is one JSON line to the error log (the workers' records, relayed). */
    private readonly raw: (line: string) => void,
    /** preFork/postFork hooks: called around each spawn. */
    private readonly around: {
      preFork?: (w: { id: number; generation: number }) => void;
      postFork?: (w: { id: number; generation: number; pid: number | undefined }) => void;
    } = {},
  ) {
    this.priority = bootPriority(config().bootNice);
    this.busy = busyLog(log);
    this.hangs = new HangReports(log);
  }

  /** Hung workers: the last one's stack and the kernel's view, and how many there were. */
  readonly hangs: HangReports;

  private readonly busy: ReturnType<typeof busyLog>;

  /**
   * Starts a worker on a later turn of the event loop. A spawn blocks the master for a few
   * milliseconds: a step of a thousand (`statefork scale 1000`) is spread over as many turns, and
   * signals, ticks and control commands are handled between them.
   */
  spawn(id: number, generation: number, yieldCpu = false): void {
    this.queued.set(id, { generation, yieldCpu });
    this.draining ??= setImmediate(() => this.startNext());
  }

  private startNext(): void {
    this.draining = null;
    const next = this.queued.entries().next();
    if (next.done) return;
    const [id, { generation, yieldCpu }] = next.value;
    this.queued.delete(id);
    this.start(id, generation, yieldCpu);
    if (this.queued.size) this.draining = setImmediate(() => this.startNext());
  }

  private start(id: number, generation: number, yieldCpu: boolean): void {
    const config = this.config();
    let heartbeatFd: number;
    try {
      heartbeatFd = createHeartbeatFile(config.workerTmpDir);
      // A worker stamps its heartbeat file with futimes(), which needs it to own the file.
      if (config.workerIdentity) fchownSync(heartbeatFd, config.workerIdentity.uid, config.workerIdentity.gid);
    } catch (e) {
      this.log.error({ id, err: (e as Error).message }, `cannot create the heartbeat file in --worker-tmp-dir ${config.workerTmpDir}`);
      this.events$.next({ type: 'WORKER_EXIT', id, code: null, signal: null, error: (e as Error).message });
      return;
    }
    // The error log is the master's own file: a worker never opens it (under --user it could not,
    // and must not be given it); its records come through a pipe and the master writes them.
    const logToMaster = config.errorLog !== '-';
    const settings = settingsForWorker(config, this.sockets, id, generation, logToMaster);
    // The title rides along as an argument: process.title can only use the room argv had.
    const title = `statefork: worker [${config.name}]`;
    this.around.preFork?.({ id, generation });
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...inheritedExecArgv(), ...config.workerExecArgv, WORKER_ENTRY, title], {
        // The slots of WORKER_FD (machines/protocol.ts): the channel is a socket pair, not Node's IPC.
        stdio: [
          'ignore',
          config.captureOutput ? 'pipe' : 'inherit',
          config.captureOutput ? 'pipe' : 'inherit',
          'pipe',
          heartbeatFd,
          logToMaster ? 'pipe' : 'ignore',
          settings.hangStacks ? 'pipe' : 'ignore',
          ...this.sockets.fds,
        ],
        // PORT first: code that builds its URLs from PORT is right, unless the user set PORT.
        env: {
          ...(this.sockets.port ? { PORT: String(this.sockets.port) } : {}),
          ...process.env,
          ...config.env,
          [ENV.worker]: JSON.stringify(settings),
          STATEFORK_WORKER_ID: String(id),
        },
        ...(config.workerIdentity ? { uid: config.workerIdentity.uid, gid: config.workerIdentity.gid } : {}),
      });
    } catch (e) {
      closeHeartbeatFile(heartbeatFd);
      this.log.error({ id, err: (e as Error).message }, 'cannot spawn a worker process');
      this.events$.next({ type: 'WORKER_EXIT', id, code: null, signal: null, error: (e as Error).message });
      return;
    }
    if (child.pid && yieldCpu) this.priority.booting(child.pid);
    const channel = child.stdio[WORKER_FD.channel] as Socket;
    const rate = config.workerLogRate;
    const gate = new LogGate(rate, this.logDrops, (records, bytes) => this.raw(droppedRecord(records, bytes, id, child.pid, rate!)));
    this.live.set(id, { child, heartbeatFd, channel, gate });
    if (config.captureOutput) this.capture(child, id, gate);
    if (logToMaster) relayWorkerLog(child.stdio.at(WORKER_FD.log) as Socket, gate, id, child.pid, this.raw);
    if (settings.hangStacks) this.hangs.listen(id, child.stdio.at(WORKER_FD.watchdog) as Socket, settings.hangStacks.stallMs);
    this.around.postFork?.({ id, generation, pid: child.pid });
    childEvents$(child, id, channel).subscribe((event) => {
      if (event.type === 'WORKER_STATS') {
        if (event.load) this.busy(id, child.pid, event.load);
        return void this.stats.update(id, event.requests, event.durations, event.logFailures, event.connections, event.load, event.proxyRejected);
      }
      if (event.type === 'WORKER_READY' && child.pid) this.priority.ready(child.pid);
      if (event.type === 'WORKER_EXIT') {
        this.forget(id);
        if (event.error) this.log.error({ id, err: event.error }, 'worker process did not start');
      }
      this.events$.next(event);
    });
  }

  /** Signals a worker; `note` goes on its channel first, so it is there when the signal is handled. */
  signal(id: number, signal: WorkerKillSignal, note?: MasterMessage): void {
    // Told to go before it was started: it never is, and that is its exit.
    if (this.queued.delete(id)) return void this.events$.next({ type: 'WORKER_EXIT', id, code: null, signal });
    const entry = this.live.get(id);
    if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    try {
      // SIGABRT is the answer to a silent heartbeat: say where the worker hung, before it goes.
      if (signal === 'SIGABRT' && entry.child.pid) this.hangs.report(id, entry.child.pid);
      if (note && entry.channel.writable) entry.channel.write(encodeMessage(note));
      entry.child.kill(signal);
    } catch (e) {
      this.log.warn({ id, signal, err: (e as Error).message }, 'could not signal worker');
    }
  }

  /** Each live worker's pid, by id. */
  pids(): Map<number, number> {
    return new Map([...this.live].flatMap(([id, { child }]) => (child.pid ? [[id, child.pid] as const] : [])));
  }

  beats(): Record<number, number> {
    const beats: Record<number, number> = {};
    for (const [id, { heartbeatFd }] of this.live) {
      const beat = readBeat(heartbeatFd);
      if (beat !== undefined) beats[id] = beat;
    }
    return beats;
  }

  /**
   * --capture-output: each line a worker prints becomes a record of the error log. The worker's
   * own log records (already JSON lines on stderr) pass through as the worker's.
   */
  private capture(child: ChildProcess, id: number, gate: LogGate): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      relayLines(
        child[stream]!,
        gate,
        (line) => {
          if (stream === 'stderr' && line.startsWith('{"level":')) this.raw(workerRecord(line, id, child.pid));
          else this.log.info({ worker: id, workerPid: child.pid, stream }, line);
        },
        (bytes) => this.log.warn({ worker: id, workerPid: child.pid, stream, bytes }, `a line over ${MAX_LINE} bytes on the worker's ${stream}: dropped`),
      );
    }
  }

  /** Last resort when the master itself fails: no worker may outlive it. */
  killAll(): void {
    this.queued.clear();
    for (const id of this.live.keys()) this.signal(id, 'SIGKILL');
  }

  private forget(id: number): void {
    const entry = this.live.get(id);
    if (!entry) return;
    closeHeartbeatFile(entry.heartbeatFd);
    entry.gate.end();
    this.live.delete(id);
    this.stats.retire(id);
    this.hangs.forget(id);
  }
}
