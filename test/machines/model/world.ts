/**
 * A simulated world for the real master machine: fake worker processes that exist once spawned,
 * receive signals, and do only what a real process could (a process told TERM exits 0, one told
 * SIGKILL dies of it, a dead one does nothing). Every effect the master asks for goes through the
 * world, and the world refuses what would be impossible in reality, so a machine bug shows up as
 * a broken invariant rather than a silently different path.
 */
import { createActor } from 'xstate';
import { masterMachine } from '../../../machines/master.machine.js';
import type { MasterSettings } from '../../../machines/master.context.js';
import type { MasterEvent } from '../../../machines/master.events.js';
import { stateName } from '../../../machines/state-name.js';
import type { MasterSnapshot } from './candidates.js';
import { ceilingOf, floorOf } from '../../../machines/master.count.js';

interface FakeProcess {
  id: number;
  alive: boolean;
  ready: boolean;
  signals: string[];
}

export class InvariantError extends Error {}

/**
 * The machine with the world's effects, made once (provide() copies the whole machine). Effects
 * run synchronously inside a send, so they act on the world that is sending.
 */
let active: World;
const machine = masterMachine.provide({
  actions: {
    spawnWorker: (_, { id }) => active.spawned(id),
    signalWorker: (_, { id, signal }) => active.signalled(id, signal),
    startUpgrade: () => active.upgradeStarted(),
    closeListeners: (_, { unlink }) => {
      if (unlink && active.newMaster !== 'none') active.fail('unix socket files removed while a new master shares them');
    },
  },
});

export class World {
  readonly processes = new Map<number, FakeProcess>();
  /** State-level transitions taken, microsteps included: "from --EVENT--> to". */
  readonly transitions: string[] = [];
  /** The load samples that moved the count: "KIND:from->to". */
  readonly scaled: string[] = [];
  private current: string | null = null;
  private movedInStep = false;
  readonly actor;
  /** Facts the invariants need about the history. */
  reachedServing = false;
  stopRequested = false;
  /** A worker reported ready at some point: the site served. */
  served = false;
  /** The master's last-resort handler fired. */
  faulted = false;
  /** The most workers the master tracked at once: no slot may be above it. */
  mostAlive = 0;
  /** The new master of a hot upgrade, as a process: none, started, running (spawned), ready. */
  newMaster: 'none' | 'started' | 'running' | 'ready' = 'none';
  private readyAtReload: number | null = null;
  private lostReadyDuringReload = 0;

  /** A copy of this world, its processes and its master, to try another next step from here. */
  fork(): World {
    const copy = new World(this.settings, this.actor.getPersistedSnapshot());
    for (const [id, p] of this.processes) copy.processes.set(id, { ...p, signals: [...p.signals] });
    copy.reachedServing = this.reachedServing;
    copy.stopRequested = this.stopRequested;
    copy.served = this.served;
    copy.faulted = this.faulted;
    copy.newMaster = this.newMaster;
    copy.readyAtReload = this.readyAtReload;
    copy.lostReadyDuringReload = this.lostReadyDuringReload;
    copy.mostAlive = this.mostAlive;
    return copy;
  }

  constructor(
    private readonly settings: MasterSettings,
    snapshot?: unknown,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the provided effects reach the world that runs them
    active = this;
    this.actor = createActor(machine, {
      input: { settings, now: 0 },
      ...(snapshot ? { snapshot: snapshot as never } : {}),
      // Each microstep, so that a step through a state (stopping.quick -> halted) is seen.
      inspect: (ev) => {
        if (ev.type !== '@xstate.microstep' && ev.type !== '@xstate.snapshot') return;
        if ((ev.actorRef as { _parent?: unknown })._parent) return; // the master's own actors (its configuration's re-read)
        const to = stateName((ev.snapshot as MasterSnapshot).value);
        if (ev.type === '@xstate.microstep' && this.current !== null && to !== this.current) {
          this.transitions.push(`${this.current} --${ev.event.type}--> ${to}`);
          this.movedInStep = true;
        }
        if (ev.type === '@xstate.snapshot') {
          if (!this.movedInStep && this.current === to && ev.event.type !== 'xstate.init') this.transitions.push(`${to} --${ev.event.type}--> ${to}`);
          this.movedInStep = false;
        }
        this.current = to;
      },
    }).start();
  }

  spawned(id: number): void {
    if (this.processes.has(id)) this.fail(`worker ${id} spawned twice`);
    this.processes.set(id, { id, alive: true, ready: false, signals: [] });
  }

  upgradeStarted(): void {
    if (this.newMaster !== 'none') this.fail('a second new master started while one runs');
    this.newMaster = 'started';
  }

  signalled(id: number, signal: string): void {
    const p = this.processes.get(id);
    if (!p) this.fail(`signal ${signal} to worker ${id}, which was never spawned`);
    if (!p.alive) this.fail(`signal ${signal} to worker ${id} after it exited`);
    // Before Node installs its handlers, USR1's default action kills the process.
    if (signal === 'SIGUSR1' && !p.ready) this.fail(`SIGUSR1 to worker ${id} while it is still starting`);
    p.signals.push(signal);
  }

  fail(message: string): never {
    throw new InvariantError(
      `${message} (state ${this.state()}, workers ${JSON.stringify(this.actor.getSnapshot().context.workers.map((w) => [w.id, w.phase]))})`,
    );
  }

  state(): string {
    return stateName(this.actor.getSnapshot().value);
  }

  /** Delivers an event from the world, after checking a real process could have produced it. */
  deliver(e: MasterEvent): void {
    if ('id' in e) {
      const p = this.processes.get(e.id);
      if (!p || !p.alive) this.fail(`${e.type} from worker ${e.id}, which is not running`);
      if (e.type === 'WORKER_READY') {
        p.ready = true;
        this.served = true;
      }
      if (e.type === 'WORKER_EXIT') {
        const told = (s: string) => p.signals.includes(s);
        if (e.signal === 'SIGKILL' && !told('SIGKILL')) this.fail(`worker ${e.id} died of a SIGKILL nobody sent`);
        if (e.code === 0 && !['SIGTERM', 'SIGQUIT'].some(told)) this.fail(`worker ${e.id} exited 0 unasked`);
        p.alive = false;
      }
    }
    if (e.type === 'UPGRADE_SPAWNED') this.newMaster = this.newMaster === 'started' ? 'running' : this.fail('UPGRADE_SPAWNED with no new master starting');
    if (e.type === 'UPGRADE_READY') this.newMaster = this.newMaster === 'running' ? 'ready' : this.fail('UPGRADE_READY from no running new master');
    if (e.type === 'UPGRADE_EXIT') this.newMaster = this.newMaster !== 'none' ? 'none' : this.fail('UPGRADE_EXIT with no new master');
    if (e.type === 'TERM' || e.type === 'INT' || e.type === 'QUIT') this.stopRequested = true;
    if (e.type === 'FAULT') this.stopRequested = this.faulted = true;
    // --upgrade-auto: the new master's ready is this master's stop.
    if (e.type === 'UPGRADE_READY' && this.settings.upgradeAuto) this.stopRequested = true;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the provided effects reach the world that runs them
    active = this;
    const before = this.state();
    const readyBefore = this.actor.getSnapshot().context.workers.filter((w) => w.phase === 'ready');
    const targetBefore = this.actor.getSnapshot().context.target;
    this.actor.send(e);
    const after = this.state();
    if (after.startsWith('serving.reloading') && !before.startsWith('serving.reloading') && this.readyAtReload === null) {
      this.readyAtReload = readyBefore.length;
      this.lostReadyDuringReload = 0;
    }
    // Ready workers that stopped being ready for a reason other than being retired (a crash, a
    // heartbeat timeout) lower the floor: the machine cannot be blamed for those.
    const now = new Map(this.actor.getSnapshot().context.workers.map((w) => [w.id, w]));
    for (const w of readyBefore) {
      const n = now.get(w.id);
      const retired = n && (n.cause === 'retire' || n.cause === 'reload-abandoned');
      if ((!n || n.phase !== 'ready') && !retired) this.lostReadyDuringReload++;
    }
    this.check(before);
    this.checkScaling(e, before, targetBefore);
    // A worker that broke the protocol is killed at once, whatever it was doing.
    if (e.type === 'WORKER_PROTOCOL_ERROR') {
      const p = this.processes.get(e.id)!;
      if (p.alive && !p.signals.includes('SIGKILL')) this.fail(`worker ${e.id} broke the protocol and was not killed`);
    }
  }

  /** A load sample moves the count only while serving.running, by one worker up, or down to MIN at the least. */
  private checkScaling(e: MasterEvent, before: string, targetBefore: number): void {
    if (e.type !== 'LOAD_SAMPLE') return;
    const { target, settings } = this.actor.getSnapshot().context;
    if (target === targetBefore) return;
    if (!settings.scaling) this.fail('a load sample moved a fixed count');
    if (before !== 'serving.running') this.fail(`a load sample moved the count in ${before}`);
    if (target > targetBefore + 1) this.fail(`a load sample added ${target - targetBefore} workers at once`);
    this.scaled.push(`${(e as { kind?: string }).kind ?? e.type}:${targetBefore}->${target}`);
  }

  private readyCount(): number {
    return this.actor.getSnapshot().context.workers.filter((w) => w.phase === 'ready').length;
  }

  /** The invariants, checked after every step. */
  check(before: string): void {
    const snap = this.actor.getSnapshot();
    const ctx = snap.context;
    const state = this.state();
    if (state.startsWith('serving')) this.reachedServing = true;
    // The machine tracks exactly the processes that are alive: none forgotten, none dead.
    const alive = [...this.processes.values()]
      .filter((p) => p.alive)
      .map((p) => p.id)
      .sort();
    const tracked = ctx.workers.map((w) => w.id).sort();
    if (JSON.stringify(alive) !== JSON.stringify(tracked)) this.fail(`tracked workers ${tracked} but alive processes ${alive}`);
    // Slots stay bounded: no two live workers share one, and none is above the most alive at once.
    const slots = ctx.workers.map((w) => w.slot);
    this.mostAlive = Math.max(this.mostAlive, slots.length);
    if (new Set(slots).size !== slots.length || slots.some((n) => n < 1 || n > this.mostAlive))
      this.fail(`worker slots ${slots} with at most ${this.mostAlive} workers alive at once`);
    // Running converges on the target (unless backing off after failures); a worker being
    // recycled is on its way out, its replacement is the one that counts.
    if (state === 'serving.running' && ctx.failures <= 1) {
      const serving = ctx.workers.filter(
        (w) => w.generation === ctx.generation && w.recycle === null && ['spawning', 'booting', 'ready'].includes(w.phase),
      ).length;
      if (serving !== ctx.target) this.fail(`running with ${serving} serving workers, target ${ctx.target}`);
    }
    // The traffic is handed over only while a new master runs, and then no worker serves here.
    if (state === 'serving.handedOver') {
      if (this.newMaster === 'none') this.fail('handed over with no new master running');
      if (ctx.workers.some((w) => ['spawning', 'booting', 'ready'].includes(w.phase))) this.fail('a worker serves after WINCH handed over');
    }
    // The machine's idea of the new master is the world's.
    const known = ctx.upgrade ? (ctx.upgrade.ready ? 'ready' : ctx.upgrade.pid === null ? 'started' : 'running') : 'none';
    if (known !== this.newMaster) this.fail(`the master thinks its new master is ${known}, it is ${this.newMaster}`);
    // From a HUP until the new generation is all ready, the ready workers never drop below the
    // target (or below those ready at the HUP, if fewer were).
    if (this.readyAtReload !== null) {
      const floor = Math.min(ctx.target, this.readyAtReload) - this.lostReadyDuringReload;
      if (this.readyCount() < floor) this.fail(`reload left ${this.readyCount()} ready workers, below ${floor}`);
      const booting = ctx.workers.some((w) => w.phase === 'spawning' || w.phase === 'booting');
      if ((state === 'serving.running' && !booting) || !state.startsWith('serving')) this.readyAtReload = null;
    }
    // Once a worker has served (or after start-up), only an operator's stop or a fault ends
    // serving: boot failures never halt then. A hot upgrade's new master is the exception: its
    // old master serves on.
    const servedHere = this.reachedServing || (this.served && ctx.upgradeFrom === null);
    if (servedHere && state.startsWith('stopping') && !before.startsWith('stopping') && !this.stopRequested) {
      this.fail(`left ${before} for ${state} without TERM, INT, QUIT or a fault, after a worker served`);
    }
    if (ctx.target > (ctx.settings.maxWorkers ?? Infinity)) this.fail(`target ${ctx.target} above --max-workers ${ctx.settings.maxWorkers}`);
    if (ctx.target > ceilingOf(ctx).max || ctx.target < floorOf(ctx)) this.fail(`target ${ctx.target} outside ${floorOf(ctx)}..${ceilingOf(ctx).max}`);
    // Every stop ends halted with no worker left; only an early failure or a fault exits non-zero.
    if (snap.status === 'done') {
      if (alive.length) this.fail(`halted with live workers ${alive}`);
      if (servedHere && ctx.exitCode !== 0 && !this.faulted) this.fail(`exit ${ctx.exitCode} after having served`);
      if (this.faulted && ctx.exitCode === 0) this.fail('exit 0 after a master fault');
    }
  }
}
