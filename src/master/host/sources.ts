/**
 * Everything that happens to the master, as one stream of machine events stamped with its
 * monotonic time: signals, the workers' events, heartbeat ticks, a hot upgrade's outcomes,
 * --reload's file changes, and the commands of the host itself (the control socket, a stop, the
 * last-resort handler). Each source only reports; the machine decides.
 */
import { dirname } from 'node:path';
import { stamp, type MasterEvent, type SourceEvent } from '../../../machines/master.events.js';
import { MASTER_SIGNALS, type MasterSignalEvent } from '../../../machines/signals.js';
import { fileChanges$ } from '../../adapters/file-changes.js';
import { EMPTY, map, merge, mergeMap, Subject, tap, type Observable } from '../../adapters/rx-operators.js';
import type { LoadSample } from '../../../machines/master.scaling.js';
import { signals$ } from '../../adapters/signals.js';
import { samples$, ticks$ } from '../../adapters/ticks.js';
import { tickInterval, type Config } from '../../config/options.js';
import type { Logger } from '../../log.js';

/** An editor's save is several file events: wait for this much quiet before reloading. */
const RELOAD_DEBOUNCE_MS = 300;

/**
 * An adaptive count samples the load on its own, this often: a full accept queue is latency paid
 * now, and a worker takes a few hundred milliseconds to boot. Reading the queues stops at the
 * listening sockets (../adapters/accept-queue.ts), so four reads a second cost nothing measurable.
 */
export const LOAD_SAMPLE_MS = 250;

/** What the host itself asks of the machine: a signal's event (control socket, stop()), or a fault. */
export type HostCommand = SourceEvent<MasterSignalEvent | 'FAULT'>;

export interface Sources {
  config: Config;
  log: Logger;
  clock(): number;
  workers$: Observable<SourceEvent>;
  beats(): Record<number, number>;
  /** Measured every LOAD_SAMPLE_MS with an adaptive count, else right after each tick's beats (../workers/load-sample.ts). */
  sample(): LoadSample;
  upgrade$: Observable<SourceEvent>;
  commands$: Subject<HostCommand>;
}

/** --reload: a change to the app's files is a HUP, with the same readiness-gated reload. */
function fileReloads$(config: Config, log: Logger): Observable<SourceEvent> {
  if (!config.reload) return EMPTY;
  const watched = [{ path: dirname(config.app.path), isDirectory: true }, ...config.reload.extraFiles.map((path) => ({ path, isDirectory: false }))];
  return fileChanges$(watched, RELOAD_DEBOUNCE_MS).pipe(
    tap((files) => log.info({ files }, 'files changed: reloading')),
    map(() => ({ type: 'HUP' as const })),
  );
}

export function masterEvents$(s: Sources): Observable<MasterEvent> {
  const signals = signals$(MASTER_SIGNALS).pipe(tap(({ signal }) => s.log.info({ signal }, `handling signal ${signal}`)));
  const sample = () => ({ type: 'LOAD_SAMPLE' as const, ...s.sample() });
  // A fixed count's sample only feeds the views: each check is two events, the heartbeats and then it.
  const ticks = ticks$(tickInterval(s.config), s.beats).pipe(mergeMap((tick) => (s.config.scaling ? [tick] : [tick, sample()])));
  const samples = s.config.scaling ? samples$(LOAD_SAMPLE_MS, sample) : EMPTY;
  return merge<SourceEvent[]>(signals, s.workers$, ticks, samples, s.upgrade$, s.commands$, fileReloads$(s.config, s.log)).pipe(
    map((e) => stamp(e, s.clock())),
  );
}
