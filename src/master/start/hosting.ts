/**
 * The machine, with its effects: created here, started last (./run.ts), so the inspectors see it
 * created. Then the views that steer it besides signals (control socket, metrics, health, the
 * page's controls): one that cannot be served stops the start with one line, like a bind.
 */
import { createActor } from 'xstate';
import { masterView } from '../../../machines/master.facts.js';
import { masterSettings, tickInterval } from '../../config/options.js';
import { CONTROL_VERSION } from '../../control/protocol.js';
import { masterEffects } from '../host/effects.js';
import { hostedMasterMachine, type MasterActor } from '../host/machine.js';
import { reopenLogFiles } from '../process/log-files.js';
import { masterControlHandler, startControlAndMetrics, type ControlAndMetrics, type ControlAndMetricsDeps } from '../observers/control-and-metrics.js';
import { Upgrader, type Command } from '../sockets/upgrade.js';
import type { Begun } from './begin.js';
import type { Held } from './acquire.js';

export interface Hosted {
  actor: MasterActor;
  views: ControlAndMetrics;
  upgrader: Upgrader;
}

function upgraderFor({ live, log, hookMaster }: Begun, { sockets, pidfile, upgradeFrom, notify }: Held, command: Command | undefined): Upgrader {
  return new Upgrader({
    command,
    listeners: sockets.listeners,
    pidfile,
    log,
    upgradeFrom,
    // systemd's notify socket went from this environment once read; the new master reports too.
    extraEnv: () => (notify ? { NOTIFY_SOCKET: notify.socket } : {}),
    preExec: () => void live.hook('preExec', hookMaster),
  });
}

export async function hostMachine(begun: Begun, held: Held, command: Command | undefined): Promise<Hosted> {
  const { live, log, logging, clock, steps, hookMaster, commands$, reaper } = begun;
  const { workers, sockets, upgradeFrom, inspection } = held;
  const upgrader = upgraderFor(begun, held, command);
  const effects = masterEffects({ workers, sockets, log, upgrade: upgrader, reopenLogs: () => reopenLogFiles(logging, live.config) });
  const machine = hostedMasterMachine(effects, () => live.reload(hookMaster), clock, log);
  const actor = createActor(machine, {
    input: { settings: masterSettings(live.config), now: clock(), upgradeFrom, workersBind: sockets.workersBind },
    inspect: (ev) => {
      steps.inspect(ev);
      inspection.inspect(ev);
    },
  });
  const steering: Pick<ControlAndMetricsDeps, 'view' | 'send' | 'stats' | 'hangs' | 'now' | 'log'> = {
    view: () => masterView(actor.getSnapshot()),
    send: (type) => commands$.next({ type }),
    stats: workers.stats,
    hangs: workers.hangs,
    now: clock,
    log,
  };
  const views = await startControlAndMetrics(live.config, {
    ...steering,
    newMaster: upgradeFrom !== null,
    logFailures: () => ({ error: logging.failures(), access: workers.stats.totals().logFailures, record: inspection.recordFailures() }),
    tickMs: tickInterval(live.config),
    dashboardUrl: () => inspection.dashboardUrl(),
    guards: () => ({ logDrops: workers.logDrops, watchdogDropped: workers.hangs.counts.dropped, orphansReaped: reaper?.reaped ?? 0 }),
  }).catch((e: unknown) => {
    inspection.close();
    held.release();
    throw e;
  });
  // --inspector-controls: the page's commands run exactly as the control socket's.
  const pageControl = masterControlHandler(steering, 'inspector');
  inspection.attachControls(({ command, args }) => pageControl({ v: CONTROL_VERSION, id: null, command, args }));
  if (live.config.bootNice > 0 && !workers.priority.active)
    log.info(
      { bootNice: live.config.bootNice },
      'workers boot at normal priority: lowering it (--boot-nice) needs a master that can raise it again (CAP_SYS_NICE)',
    );
  actor.on('workerExited', steps.fact);
  actor.on('scaled', steps.fact);
  return { actor, views, upgrader };
}
