/**
 * The master runs until its machine halts: every source feeds the machine (../host/sources.ts);
 * at the end everything acquired is released, onExit gets its moment, and the exit code is the
 * machine's. A bug in the machine itself kills every worker: none is left unsupervised.
 */
import { mayUnlinkSockets } from '../../../machines/master.context.js';
import { EXIT } from '../../../machines/exit-codes.js';
import { installFaultHandler } from '../host/fault.js';
import { masterEvents$ } from '../host/sources.js';
import { loadSampler } from '../workers/load-sample.js';
import type { Begun } from './begin.js';
import type { Held } from './acquire.js';
import type { Hosted } from './hosting.js';

/** An onExit hook gets this long before the master exits anyway. */
const EXIT_HOOK_MS = 5000;

/** Feeds the machine until it halts; resolves with the exit code. The actor is started by the caller, last. */
export function runUntilHalted(
  { live, log, clock, commands$, reaper, hookMaster }: Begun,
  held: Held,
  { actor, views, upgrader }: Hosted,
  faultHandler: boolean,
): Promise<number> {
  const { workers, sockets, inspection } = held;
  const uninstallFaults = faultHandler ? installFaultHandler(log, (reason) => commands$.next({ type: 'FAULT', reason })) : () => {};
  const subscription = masterEvents$({
    config: live.config,
    log,
    clock,
    workers$: workers.events$,
    beats: () => workers.beats(),
    sample: loadSampler(
      sockets.listeners,
      () => workers.stats.load(),
      () => workers.pids(),
    ),
    upgrade$: upgrader.events$,
    commands$,
  }).subscribe((e) => actor.send(e));
  return new Promise<number>((resolve) => {
    const finish = (exitCode: number) => {
      uninstallFaults();
      reaper?.stop();
      subscription.unsubscribe();
      views.close();
      held.release(mayUnlinkSockets(actor.getSnapshot().context));
      inspection.close();
      const exitHook = live.hook('onExit', hookMaster, exitCode);
      void Promise.race([exitHook, new Promise((ok) => setTimeout(ok, EXIT_HOOK_MS).unref())]).then(() => resolve(exitCode));
    };
    actor.subscribe({
      complete: () => {
        const { exitCode, reason } = actor.getSnapshot().output ?? { exitCode: 1, reason: 'no output' };
        if (exitCode === 0) log.info({ exitCode }, 'halted');
        else log.fatal({ exitCode, reason }, reason ?? 'halted with an error');
        finish(exitCode);
      },
      error: (err) => {
        log.fatal({ err }, 'master machine failed: killing every worker');
        workers.killAll();
        finish(EXIT.FAILURE);
      },
    });
  });
}
