/**
 * What watches the master from outside its log: the live inspector (--inspector: a page fed by
 * the hub), the recording (--record: the hub's steps, one JSON line each) and Stately's
 * inspector (--inspect-stately: XState's inspection events, forwarded). Each is started only
 * when asked for.
 */
import { importPeer } from '../../optional-peer.js';
import { randomHex } from '../../node-builtins.js';
import { ControlError } from '../../control/server.js';
import type { InspectionEvent } from 'xstate';
import type { MasterStep } from '../../../machines/master.facts.js';
import type { Config } from '../../config/options.js';
import { StateforkError } from '../../errors.js';
import { InspectorHub } from '../../inspector/hub.js';
import { serveInspector } from '../../inspector/server.js';
import type { MasterContext } from '../../../machines/master.context.js';
import type { ScaleFact } from '../../../machines/master.facts.js';
import { scalingFigures } from '../../../machines/master.count.js';
import { residentBytes } from '../../adapters/resident-memory.js';
import type { ControlOutcome, PageCommand, PageControls } from '../../inspector/controls.js';
import { FigureHistory, type WorkerFigures } from '../../inspector/history.js';
import type { LogSetup } from '../../log.js';
import type { HangReports } from '../workers/hang-reports.js';
import type { RequestStats } from '../../metrics/request-stats.js';
import { openRecording, record } from '../process/log-files.js';
import { writeTokenFile, type TokenFile } from './token-file.js';

/** The inspector page lists this many of the adaptive count's latest decisions. */
const DECISIONS_KEPT = 20;

/** A control command as the control socket runs it: its data, or a ControlError (code and message). */
export type ControlRun = (req: { command: PageCommand; args: Record<string, unknown> }) => unknown;

export interface Inspection {
  /** Each master step, for the inspector page and the recording. */
  step(step: MasterStep): void;
  /** XState's inspection events, for Stately's inspector. */
  inspect(ev: InspectionEvent): void;
  recordFailures(): number;
  /** With --inspector-controls: the page's commands, once the master can take them. */
  attachControls(run: ControlRun): void;
  /** The page's address, with the controls' token once they are on (`statefork dashboard-url`); null: no inspector. */
  dashboardUrl(): string | null;
  close(): void;
}

/** Opens --record before anything binds, so that a bad path stops the start at once. */
export function openInspection(config: Config, logging: LogSetup, clock: () => number) {
  const recording = openRecording(config.record, logging, config.logFileMode);
  const hub = config.inspector || config.record ? new InspectorHub(clock) : null;
  record(recording, hub);
  return { recording, hub };
}

/** `beats`: each worker's latest heartbeat stamp, for the page's heartbeat ages. */
export async function startInspection(
  config: Config,
  logging: LogSetup,
  opened: ReturnType<typeof openInspection>,
  stats: RequestStats,
  hangs: HangReports,
  beats: () => Record<number, number>,
  upgrade = false,
): Promise<Inspection> {
  const { hub, recording } = opened;
  if (hub) hub.beats = beats;
  // The adaptive count's latest figures and its last decisions, for the page.
  let latest: MasterContext | null = null;
  const decisions: Array<ScaleFact & { at: number }> = [];
  const log = logging.logger;
  const history = new FigureHistory();
  let controls: PageControls | null = null;
  const token = randomHex(16);
  const inspector =
    config.inspector && hub
      ? await serveInspector(
          hub,
          config.inspector.host,
          config.inspector.port,
          {
            requests: () => Object.fromEntries(stats.byWorker()),
            connections: () => Object.fromEntries(stats.connections()),
            load: () => Object.fromEntries(stats.load()),
            lastHang: () => hangs.last,
            scaling: () => ({ now: latest && scalingFigures(latest), decisions }),
            history: () => history.all(),
            controls: () => controls,
          },
          {
            takeOver: upgrade ? { log, field: 'inspector', what: 'the inspector' } : null,
            failure: (e) =>
              new StateforkError(
                'SF_BIND_FAILED',
                `cannot serve the inspector at ${config.inspector!.host}:${config.inspector!.port}: ${e.code ?? e.message}; choose another --inspector address`,
              ),
          },
        )
      : null;
  if (inspector) log.info({ inspector: inspector.url }, `inspector at ${inspector.url}`);
  // Stately's own inspector, for users with it at hand: the same inspection events, forwarded.
  const stately = config.inspectStately
    ? (
        await importPeer(
          '@statelyai/inspect',
          (m) => new StateforkError('SF_CONFIG', m),
          () => import('@statelyai/inspect'),
        )
      ).createWebSocketInspector({ url: config.inspectStately, autoStart: true })
    : null;
  if (stately) log.info({ inspectStately: config.inspectStately }, `forwarding inspection events to ${config.inspectStately}`);
  // Written before the first worker: a bad path stops the start with one line.
  let tokenFile: TokenFile | null = null;
  try {
    if (inspector && config.inspectorControls && config.inspectorTokenFile) tokenFile = writeTokenFile(config.inspectorTokenFile, token);
  } catch (e) {
    await inspector?.close();
    stately?.stop();
    throw e;
  }
  return {
    step: (step) => {
      latest = step.after.context;
      // One point of figures per check, for the page's sparklines.
      if (inspector && step.cause === 'TICK') history.sample(Date.now(), figuresNow(latest, stats));
      for (const d of step.scaled) decisions.unshift({ ...d, at: Date.now() });
      decisions.splice(DECISIONS_KEPT);
      hub?.step(step);
    },
    inspect: (ev) => stately?.inspect.next?.(ev),
    recordFailures: () => recording?.failures ?? 0,
    attachControls: (run) => {
      if (!inspector || !config.inspectorControls) return;
      // Never logged: a log is read by more people (and processes) than may stop the server.
      controls = { token, run: (command, args) => outcome(() => run({ command, args })) };
      const where = `statefork dashboard-url prints the page's address with it${config.inspectorTokenFile ? `; it is also in ${config.inspectorTokenFile} (mode 0600)` : ''}`;
      log.info(
        { inspectorControls: true, ...(config.inspectorTokenFile ? { tokenFile: config.inspectorTokenFile } : {}) },
        `inspector controls on at ${inspector.url}: each control request needs this run's token (${where})`,
      );
    },
    dashboardUrl: () => (inspector ? `${inspector.url}${controls ? `#token=${controls.token}` : ''}` : null),
    close: () => {
      void inspector?.close();
      stately?.stop();
      tokenFile?.remove();
    },
  };
}

function figuresNow(ctx: MasterContext, stats: RequestStats): Map<number, WorkerFigures> {
  const requests = stats.byWorker();
  const load = stats.load();
  const connections = stats.connections();
  return new Map(
    ctx.workers.map((w) => [
      w.id,
      { requests: requests.get(w.id) ?? 0, load: load.get(w.id), rssBytes: residentBytes(w.pid), open: connections.get(w.id)?.open },
    ]),
  );
}

/** A command's data, or its refusal as the control socket words it (a ControlError's code, else refused). */
function outcome(run: () => unknown): ControlOutcome {
  try {
    return { ok: true, data: run() };
  } catch (e) {
    return { ok: false, error: { code: e instanceof ControlError ? e.code : 'refused', message: (e as Error).message } };
  }
}
