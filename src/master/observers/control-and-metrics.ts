/**
 * Ways to see and steer a running master besides signals and the log: the control socket
 * (statefork status, workers, scale, ...), the Prometheus metrics and the health endpoints. All
 * read the master as the machine states it (its view and steps); control commands go into the
 * same event stream as signals. A hot upgrade's new master takes each HTTP address over once the
 * old master lets go of it.
 */
import { basename, dirname, join } from 'node:path';
import type { MasterStep, MasterView } from '../../../machines/master.facts.js';
import type { MasterSignalEvent } from '../../../machines/signals.js';
import type { Config } from '../../config/options.js';
import { controlHandler } from '../../control/commands.js';
import { ensureControlDir } from '../../control/paths.js';
import { serveControl, type ControlServer } from '../../control/server.js';
import { HealthFacts, serveHealth } from '../../health/server.js';
import type { Logger } from '../../log.js';
import type { MasterMetrics } from '../../metrics/master-metrics.js';
import { importPeer } from '../../optional-peer.js';
import { StateforkError } from '../../errors.js';
import type { HangReports } from '../workers/hang-reports.js';
import type { RequestStats } from '../../metrics/request-stats.js';
import type { GuardCounts } from '../../metrics/guard-metrics.js';

export interface ControlAndMetrics {
  /** Each step of the master machine (the metrics count exits, reloads, transitions). */
  step(step: MasterStep): void;
  close(): void;
}

export interface ControlAndMetricsDeps {
  /** The master as it is now. */
  view(): MasterView;
  send(event: MasterSignalEvent): void;
  stats: RequestStats;
  /** Hung workers: the last one's record, and the counts. */
  hangs: HangReports;
  now(): number;
  log: Logger;
  /** A hot upgrade's new master takes a shared --control-socket path over from the old one. */
  newMaster: boolean;
  /** Log lines that could not be written (a full disk), by log. */
  logFailures(): Record<'error' | 'access' | 'record', number>;
  /** The master's periodic check's period (ms): /livez fails once several are missed. */
  tickMs: number;
  /** The inspector's address with the controls' token (`statefork dashboard-url`), or null. */
  dashboardUrl(): string | null;
  /** What the bounds on workers' channels dropped, and the orphans reaped, for the metrics. */
  guards(): GuardCounts;
}

/** The control commands of this master, for the control socket and the inspector's controls: one code path; `via` is said in the log. */
export function masterControlHandler(
  deps: Pick<ControlAndMetricsDeps, 'view' | 'send' | 'stats' | 'hangs' | 'now' | 'log'> & Partial<Pick<ControlAndMetricsDeps, 'dashboardUrl'>>,
  via: string,
) {
  return controlHandler({
    view: deps.view,
    send: (event) => {
      deps.log.info({ event, via }, `${via}: ${event}`);
      deps.send(event);
    },
    requests: () => deps.stats.byWorker(),
    connections: () => deps.stats.connections(),
    load: () => deps.stats.load(),
    lastHang: () => deps.hangs.last,
    dashboardUrl: () => deps.dashboardUrl?.() ?? null,
    now: deps.now,
    startedAt: Date.now(),
  });
}

export async function startControlAndMetrics(config: Config, deps: ControlAndMetricsDeps): Promise<ControlAndMetrics> {
  let control: ControlServer | null = null;
  let metricsServer: { close(): void } | null = null;
  let healthServer: { close(): void } | null = null;
  let metrics: MasterMetrics | null = null;
  let health: HealthFacts | null = null;
  // A hot upgrade's new master takes each address over from the old one (src/local-http.ts).
  const takeOver = (field: string, what: string) => (deps.newMaster ? { log: deps.log, field, what } : null);
  try {
    if (config.controlSocket) {
      const { path, isDefault } = config.controlSocket;
      const where = isDefault ? join(ensureControlDir(dirname(path)), basename(path)) : path;
      control = await serveControl(where, masterControlHandler(deps, 'control socket'), deps.log, { takeOver: deps.newMaster });
    }
    if (config.metrics) {
      // prom-client is loaded only by a master that serves metrics (an optional peer).
      const [{ MasterMetrics }, { serveMetrics }] = await Promise.all([
        importPeer(
          'prom-client',
          (m) => new StateforkError('SF_CONFIG', m),
          () => import('../../metrics/master-metrics.js'),
        ),
        import('../../metrics/server.js'),
      ]);
      metrics = new MasterMetrics({ ...deps, name: config.nameLabel });
      const served = await serveMetrics(metrics, config.metrics.host, config.metrics.port, takeOver('metrics', 'the metrics'));
      metricsServer = served;
      deps.log.info({ metrics: served.url }, `metrics at ${served.url}`);
    }
    if (config.health) {
      health = new HealthFacts({ view: deps.view, now: deps.now, tickMs: deps.tickMs });
      const served = await serveHealth(health, config.health.host, config.health.port, takeOver('health', 'the health endpoints'));
      healthServer = served;
      deps.log.info({ health: served.url }, `health endpoints at ${served.url}/readyz, /livez, /startupz`);
    }
  } catch (e) {
    control?.close();
    metricsServer?.close();
    throw e;
  }
  return {
    step: (step) => {
      metrics?.step(step);
      health?.step(step);
    },
    close: () => {
      control?.close();
      metricsServer?.close();
      healthServer?.close();
    },
  };
}
