/**
 * (7) Event pipeline: how many events per second the master actor and its streams absorb, with
 * no processes: synthetic heartbeat ticks and child exits go through the same RxJS merge and
 * time stamping as in the runtime, into the real master machine, whose spawn and signal effects
 * answer at once with synthetic events. Run bare, and with the transition log written (to
 * /dev/null) as the runtime writes it.
 */
import { createActor } from 'xstate';
import { map, merge, Subject } from 'rxjs';
import pino from 'pino';
import { masterMachine } from '../../../machines/master.machine.js';
import type { MasterEvent } from '../../../machines/master.events.js';
import { transitionLogger } from '../../../src/transition-log.js';
import type { BenchSettings } from '../settings.js';

export interface PipelineRow {
  variant: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

type Untimed = { [K in MasterEvent['type']]: Omit<Extract<MasterEvent, { type: K }>, 'now'> }[MasterEvent['type']];

const WORKERS = 8;

async function run(events: number, logged: boolean): Promise<PipelineRow> {
  const ticks$ = new Subject<Untimed>();
  const children$ = new Subject<Untimed>();
  let nextPid = 1000;
  let now = 0;
  // Effects answer like the OS would, through the child-events stream.
  const machine = masterMachine.provide({
    actions: {
      spawnWorker: (_: unknown, { id }: { id: number }) => {
        queueMicrotask(() => {
          children$.next({ type: 'WORKER_SPAWNED', id, pid: nextPid++ });
          children$.next({ type: 'WORKER_READY', id });
        });
      },
      signalWorker: (_: unknown, { id }: { id: number }) => queueMicrotask(() => children$.next({ type: 'WORKER_EXIT', id, code: 0, signal: null })),
      log: () => {},
    },
  });
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const actor = createActor(machine, {
    input: { settings: { workers: WORKERS, timeoutMs: 30_000, gracefulTimeoutMs: 30_000, bootTimeoutMs: 30_000 }, now },
    inspect: logged ? transitionLogger('master', log) : undefined,
  });
  const sub = merge(ticks$, children$)
    .pipe(map((e) => ({ ...e, now: ++now }) as MasterEvent))
    .subscribe((e) => actor.send(e));
  actor.start();
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((done) => {
    const step = () => {
      // A batch of events, then a turn of the event loop for the effects' answers.
      for (let i = 0; i < 100 && sent < events; i++, sent++) {
        const workers = actor.getSnapshot().context.workers.filter((w) => w.pid);
        if (sent % 10 === 9 && workers.length) {
          // A worker killed from outside (as by the OOM killer): replaced at once.
          children$.next({ type: 'WORKER_EXIT', id: workers[sent % workers.length].id, code: null, signal: 'SIGKILL' });
        } else {
          ticks$.next({ type: 'TICK', beats: Object.fromEntries(workers.map((w) => [w.id, now])) });
        }
      }
      if (sent < events) setImmediate(step);
      else done();
    };
    step();
  });
  const seconds = (performance.now() - t0) / 1000;
  sub.unsubscribe();
  actor.stop();
  return { variant: logged ? 'with transition log' : 'machine and streams', events: sent, seconds, eventsPerSecond: sent / seconds };
}

export async function pipeline(s: BenchSettings, progress: (line: string) => void): Promise<PipelineRow[]> {
  const rows: PipelineRow[] = [];
  for (const logged of [false, true]) {
    const row = await run(s.pipelineEvents, logged);
    progress(`pipeline ${row.variant}: ${Math.round(row.eventsPerSecond)} events/s`);
    rows.push(row);
  }
  return rows;
}
