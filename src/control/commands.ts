/**
 * What each control command does in the master. Reading commands (status, workers) read the
 * master machine's snapshot; every other command is a machine event a signal would also be
 * (scale is TTIN/TTOU, one per worker, reload HUP, reopen USR1, stop TERM or QUIT), and kill is a
 * TERM to one worker process, as `kill PID` would be: no second code path.
 */
import { ceilingOf, floorOf, scalingFigures } from '../../machines/master.count.js';
import { residentBytes } from '../adapters/resident-memory.js';
import type { MasterView } from '../../machines/master.facts.js';
import type { MasterSignalEvent } from '../../machines/signals.js';
import { NO_CONNECTIONS, type Connections, type WorkerLoad } from '../../machines/protocol.js';
import type { HangRecord } from '../../machines/watchdog-protocol.js';
import { shown, type Request } from './protocol.js';
import { ControlError } from './server.js';

export interface ControlDeps {
  /** The master as it is now, as the machine states it. */
  view(): MasterView;
  /** Delivers a signal's machine event, as if the signal had come. */
  send(event: MasterSignalEvent): void;
  /** Requests served, by worker id, as the workers last reported. */
  requests(): Map<number, number>;
  /** Open connections by kind, by worker id, as the workers last reported. */
  connections?(): Map<number, Connections>;
  /** Each worker's load over its last heartbeat interval, by worker id, as the workers last reported. */
  load?(): Map<number, WorkerLoad>;
  /** The last hung worker: where it was stuck and the kernel's view, when one hung. */
  lastHang?(): HangRecord | null;
  /**
   * The inspector page's address, with the controls' token in its fragment when they are on;
   * null: no inspector. Given only here, over the 0600 socket: the token is never logged.
   */
  dashboardUrl?(): string | null;
  /** The master's monotonic clock (the machine's time). */
  now(): number;
  /** When the master started, wall clock (ms). */
  startedAt: number;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

function status(deps: ControlDeps) {
  const { state, context: c } = deps.view();
  const count = (...phases: string[]) => c.workers.filter((w) => phases.includes(w.phase)).length;
  return {
    pid: process.pid,
    state,
    uptimeSeconds: seconds(Date.now() - deps.startedAt),
    generation: c.generation,
    target: c.target,
    scaling: scalingFigures(c),
    workers: {
      live: c.workers.filter((w) => w.pid !== null).length,
      ready: count('ready'),
      booting: count('spawning', 'booting'),
      retiring: count('draining', 'quitting', 'aborting', 'killed'),
    },
    upgrade: c.upgrade ? { newMasterPid: c.upgrade.pid, ready: c.upgrade.ready } : null,
    upgradeFrom: c.upgradeFrom,
    lastHang: deps.lastHang?.() ?? null,
  };
}

function workers(deps: ControlDeps) {
  const { context: c } = deps.view();
  const now = deps.now();
  const requests = deps.requests();
  const connections = deps.connections?.() ?? new Map<number, Connections>();
  const load = deps.load?.() ?? new Map<number, WorkerLoad>();
  const live = c.workers.map((w) => ({
    id: w.id,
    // The metrics' label for this worker (1 to the most alive at once; ids grow, slots are reused).
    slot: w.slot,
    pid: w.pid,
    state: w.phase,
    generation: w.generation,
    ageSeconds: seconds(now - w.spawnedAt),
    requests: requests.get(w.id) ?? 0,
    connections: connections.get(w.id) ?? NO_CONNECTIONS,
    load: load.get(w.id) ?? null,
    rssBytes: residentBytes(w.pid),
    heartbeatAgeSeconds: w.readyAt === null ? null : seconds(now - w.beatAt),
  }));
  // The last hung worker: while the master has not yet seen it exit (it was just killed), its own
  // row carries where it was stuck; once it is gone it closes the list, in state "hung".
  const hang = deps.lastHang?.() ?? null;
  if (!hang) return live;
  if (c.workers.some((w) => w.id === hang.id)) return live.map((w) => (w.id === hang.id ? { ...w, hang } : w));
  return [
    ...live,
    {
      id: hang.id,
      slot: null,
      pid: hang.workerPid,
      state: 'hung',
      generation: null,
      ageSeconds: null,
      requests: null,
      connections: null,
      load: null,
      rssBytes: null,
      heartbeatAgeSeconds: null,
      hang,
    },
  ];
}

/**
 * scale N (absolute), +N or -N: the target it asks for, between `min` (1, or MIN of --workers
 * MIN:MAX) and `max` (--max-workers, or the adaptive ceiling).
 */
export function scaleTarget(raw: unknown, current: number, max = Infinity, min = 1, adaptive = false): number {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^[+-]?\d{1,9}$/.test(text.trim()))
    throw new ControlError('bad-args', `invalid workers ${shown(raw)}: expected N, +N or -N (e.g. "+2")`);
  const n = Number(text.trim());
  const target = /^[+-]/.test(text.trim()) ? current + n : n;
  if (target < min)
    throw new ControlError(
      'bad-args',
      `cannot scale to ${target} workers: the least is ${min}${adaptive ? ' (MIN of --workers MIN:MAX; change it and reload to go lower)' : ''}`,
    );
  if (target > max)
    throw new ControlError(
      'bad-args',
      `cannot scale to ${target} workers: the most is ${max} ${adaptive ? "(the adaptive ceiling: MAX of --workers MIN:MAX, the host's CPUs and memory)" : '(--max-workers)'}`,
    );
  return target;
}

export function controlHandler(deps: ControlDeps): (req: Request) => unknown {
  const state = () => deps.view().state;
  const signal = (event: MasterSignalEvent) => {
    deps.send(event);
    return { state: state() };
  };
  return (req) => {
    switch (req.command) {
      case 'status':
        return status(deps);
      case 'workers':
        return workers(deps);
      case 'scale': {
        const { context } = deps.view();
        const before = context.target;
        const target = scaleTarget(req.args.workers, before, ceilingOf(context).max, floorOf(context), context.settings.scaling !== undefined);
        if (deps.view().stopping) throw new ControlError('refused', 'the master is stopping');
        for (let n = before; n < target; n++) deps.send('TTIN');
        for (let n = before; n > target; n--) deps.send('TTOU');
        return { target: deps.view().context.target, state: state() };
      }
      case 'reload':
        return signal('HUP');
      case 'reopen':
        return signal('USR1');
      case 'stop':
        return signal(req.args.quick === true ? 'QUIT' : 'TERM');
      case 'kill': {
        const pid = req.args.pid;
        const w = deps.view().context.workers.find((x) => x.pid === pid && x.pid !== null);
        if (!w) throw new ControlError('bad-args', `no worker of this master has pid ${shown(pid)}: see statefork workers`);
        process.kill(w.pid!, 'SIGTERM');
        return { pid: w.pid, id: w.id, signal: 'SIGTERM' };
      }
      case 'dashboard-url': {
        const url = deps.dashboardUrl?.() ?? null;
        if (!url) throw new ControlError('refused', 'this master serves no inspector: start it with --inspector (and --inspector-controls for the controls)');
        return { url };
      }
    }
  };
}
