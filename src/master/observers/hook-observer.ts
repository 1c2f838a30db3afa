/**
 * The master hooks a step calls: whenReady once the first generation serves, nworkersChanged
 * when the worker target moves (the first step too: from none to --workers), childExit for
 * every worker gone. Hooks are never awaited by the machine (see ../hooks.ts).
 */
import type { MasterStep } from '../../../machines/master.facts.js';
import type { HookMaster, LiveConfig } from '../host/live-config.js';

export function hookObserver(live: LiveConfig, master: HookMaster): (step: MasterStep) => void {
  return (step) => {
    const [before, after] = [step.before?.context, step.after.context];
    for (const exit of step.exits) void live.hook('childExit', master, { id: exit.id, code: exit.code, signal: exit.signal });
    if (step.targetChanged) void live.hook('nworkersChanged', master, after.target, before?.target ?? null);
    if (step.ready) void live.hook('whenReady', master);
  };
}
