/**
 * The master machine as this host runs it: the effects it declares, implemented for real
 * (./effects.ts, checked against the declaration), and the configuration's re-read as the actor
 * its `configuring` state invokes. What the machine may ask for is exactly what this provides.
 */
import { fromCallback, type createActor, type EventObject } from 'xstate';
import type { MasterSettings } from '../../../machines/master.context.js';
import { effectActions, type MasterEffects } from '../../../machines/master.effects.js';
import { stamp } from '../../../machines/master.events.js';
import { masterMachine } from '../../../machines/master.machine.js';
import type { Logger } from '../../log.js';

/** Re-reads the configuration; rejects with a one-line message when it cannot. */
export type ConfigReload = () => Promise<MasterSettings>;

/**
 * The re-read as an actor: its outcome goes back to the machine as CONFIG_LOADED or
 * CONFIG_FAILED, stamped with the master's time. Stopped with its state (a TERM while it
 * loads), it sends nothing: nobody waits for it any more.
 */
export function configReloadActor(reload: ConfigReload, clock: () => number, log: Logger) {
  return fromCallback<EventObject>(({ sendBack }) => {
    let wanted = true;
    reload().then(
      (settings) => {
        if (wanted) sendBack(stamp({ type: 'CONFIG_LOADED', settings }, clock()));
      },
      (failure: unknown) => {
        const e = failure as Error;
        log.error({ reason: e.message }, `configuration failed to load: ${e.message}`);
        if (wanted) sendBack(stamp({ type: 'CONFIG_FAILED', reason: e.message }, clock()));
      },
    );
    return () => {
      wanted = false;
    };
  });
}

export function hostedMasterMachine(effects: MasterEffects, reload: ConfigReload, clock: () => number, log: Logger) {
  return masterMachine.provide({
    actions: effectActions(effects),
    actors: { loadConfig: configReloadActor(reload, clock, log) },
  });
}

export type HostedMasterMachine = ReturnType<typeof hostedMasterMachine>;

/** The running master machine, as the programmatic API's `Master.actor` gives it. */
export type MasterActor = ReturnType<typeof createActor<HostedMasterMachine>>;
