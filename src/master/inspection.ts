/**
 * What watches the master from outside its log: the live inspector (--inspector: a page fed by
 * the hub), the recording (--record: the hub's steps, one JSON line each) and Stately's
 * inspector (--inspect-stately: XState's inspection events, forwarded). Each is started only
 * when asked for.
 */
import type { InspectionEvent } from 'xstate';
import type { MasterStep } from '../../machines/master.facts.js';
import type { Config } from '../config/options.js';
import { StateforkError } from '../errors.js';
import { InspectorHub } from '../inspector/hub.js';
import { serveInspector } from '../inspector/server.js';
import type { MasterContext } from '../../machines/master.context.js';
import type { ScaleFact } from '../../machines/master.facts.js';
import { scalingFigures } from '../../machines/master.scaling.js';

/** The inspector page lists this many of the adaptive count's latest decisions. */
const DECISIONS_KEPT = 20;
import type { LogSetup } from '../log.js';
import type { HangReports } from './hang-reports.js';
import type { RequestStats } from '../metrics/request-stats.js';
import { openRecording, record } from './log-files.js';

export interface Inspection {
  /** Each master step, for the inspector page and the recording. */
  step(step: MasterStep): void;
  /** XState's inspection events, for Stately's inspector. */
  inspect(ev: InspectionEvent): void;
  recordFailures(): number;
  close(): void;
}

/** Opens --record before anything binds, so that a bad path stops the start at once. */
export function openInspection(config: Config, logging: LogSetup, clock: () => number) {
  const recording = openRecording(config.record, logging);
  const hub = config.inspector || config.record ? new InspectorHub(clock) : null;
  record(recording, hub);
  return { recording, hub };
}

export async function startInspection(config: Config, logging: LogSetup, opened: ReturnType<typeof openInspection>, stats: RequestStats, hangs: HangReports): Promise<Inspection> {
  const { hub, recording } = opened;
  // The adaptive count's latest figures and its last decisions, for the page.
  let latest: MasterContext | null = null;
  const decisions: Array<ScaleFact & { at: number }> = [];
  const log = logging.logger;
  const inspector = config.inspector && hub
    ? await serveInspector(hub, config.inspector.host, config.inspector.port, {
      requests: () => Object.fromEntries(stats.byWorker()),
      connections: () => Object.fromEntries(stats.connections()),
      load: () => Object.fromEntries(stats.load()),
      lastHang: () => hangs.last,
      scaling: () => ({ now: latest && scalingFigures(latest), decisions }),
    }).catch((e: NodeJS.ErrnoException) => {
      throw new StateforkError('SF_BIND_FAILED', `cannot serve the inspector at ${config.inspector!.host}:${config.inspector!.port}: ${e.code ?? e.message}; choose another --inspector address`);
    })
    : null;
  if (inspector) log.info({ inspector: inspector.url }, `inspector at ${inspector.url}`);
  // Stately's own inspector, for users with it at hand: the same inspection events, forwarded.
  const stately = config.inspectStately
    ? (await import('@statelyai/inspect')).createWebSocketInspector({ url: config.inspectStately, autoStart: true })
    : null;
  if (stately) log.info({ inspectStately: config.inspectStately }, `forwarding inspection events to ${config.inspectStately}`);
  return {
    step: (step) => {
      latest = step.after.context;
      for (const d of step.scaled) decisions.unshift({ ...d, at: Date.now() });
      decisions.splice(DECISIONS_KEPT);
      hub?.step(step);
    },
    inspect: (ev) => stately?.inspect.next?.(ev),
    recordFailures: () => recording?.failures ?? 0,
    close: () => {
      void inspector?.close();
      stately?.stop();
    },
  };
}
