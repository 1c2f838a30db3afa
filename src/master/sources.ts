/**
 * Everything that happens to the master, as one stream of machine events stamped with its
 * monotonic time: signals, the workers' events, heartbeat ticks, a hot upgrade's outcomes,
 * --reload's file changes, and the commands of the host itself (the control socket, a stop, the
 * last-resort handler). Each source only reports; the machine decides.
 */
import { dirname } from 'node:path';
import { stamp, type MasterEvent, type SourceEvent } from '../../machines/master.events.js';
import { MASTER_SIGNALS, type MasterSignalEvent } from '../../machines/signals.js';
import { fileChanges$ } from '../adapters/file-changes.js';
import { EMPTY, map, merge, Subject, tap, type Observable } from '../adapters/rx-operators.js';
import type { LoadSample } from '../../machines/master.scaling.js';
import { signals$ } from '../adapters/signals.js';
import { samples$, ticks$ } from '../adapters/ticks.js';
import { tickInterval, type Config } from '../config/options.js';
import type { Logger } from '../log.js';

/** An editor's save is several file events: wait for this much quiet before reloading. */
const RELOAD_DEBOUNCE_MS = 300;

/**
 * An adaptive count samples the load on its own, this often: a full accept queue is latency paid
 * now, and a worker takes a few hundred milliseconds to boot. Reading the queues stops at the
 * listening sockets (../adapters/accept-queue.ts), so four reads a second cost nothing measurable.
 */
export const LOAD_SAMPLE_MS = 250;

/**
 * A fixed count's sample only feeds the views (the accept-queue gauge, the inspector), so it is
 * taken this often: each one reads every worker's /proc status, and at 32 workers a sample per
 * tick was 0.2% of a core on an idle master (measured; the ticks themselves cost 0.4%).
 */
export const VIEW_SAMPLE_MS = 5000;

/** What the host itself asks of the machine: a signal's event (control socket, stop()), or a fault. */
export type HostCommand = SourceEvent<MasterSignalEvent | 'FAULT'>;

export interface Sources {
  config: Config;
  log: Logger;
  clock(): number;
  workers$: Observable<SourceEvent>;
  beats(): Record<number, number>;
  /** Measured every LOAD_SAMPLE_MS with an adaptive count, else every VIEW_SAMPLE_MS (./load-sample.ts). */
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
  const samples = samples$(s.config.scaling ? LOAD_SAMPLE_MS : VIEW_SAMPLE_MS, sample);
  return merge<SourceEvent[]>(signals, s.workers$, ticks$(tickInterval(s.config), s.beats), samples, s.upgrade$, s.commands$, fileReloads$(s.config, s.log))
    .pipe(map((e) => stamp(e, s.clock())));
}
