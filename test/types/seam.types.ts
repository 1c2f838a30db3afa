/**
 * The seam between the master machine and its host, checked by the type checker: every case
 * below is a mistake `npm run typecheck` must refuse. Each `@ts-expect-error` fails the check if
 * its line compiles, so a seam that stops being typed (an `any`, an `as never`) fails here.
 */
import { masterMachine } from '../../machines/master.machine.js';
import { effectActions, type MasterEffects } from '../../machines/master.effects.js';
import { stamp, type SourceEvent } from '../../machines/master.events.js';
import type { WorkerEvent } from '../../src/adapters/children.js';
import { masterEffects, type EffectDeps } from '../../src/master/host/effects.js';
import { hostedMasterMachine } from '../../src/master/host/machine.js';

declare const deps: EffectDeps;
const real: MasterEffects = masterEffects(deps);
const { spawnWorker, ...withoutSpawn } = real;

// A host that lacks an effect the machine names.
// @ts-expect-error spawnWorker is missing
export const missing: MasterEffects = withoutSpawn;

// A host that renamed one.
// @ts-expect-error spawnWorkers is not an effect of the machine, and spawnWorker is missing
export const renamed: MasterEffects = { ...withoutSpawn, spawnWorkers: spawnWorker };

// A host whose effect takes the wrong parameters.
// @ts-expect-error signalWorker's id is a number
export const wrongParams: MasterEffects = { ...real, signalWorker: (p: { id: string }) => void p };

// The same mistakes made straight on the machine's implementations.
masterMachine.provide({
  // @ts-expect-error spawnWorkers is not an action of the machine
  actions: { spawnWorkers: () => {} },
});
masterMachine.provide({
  // @ts-expect-error closeListeners takes { unlink: boolean }
  actions: { closeListeners: (_: unknown, p: { unlink: string }) => void p },
});
// @ts-expect-error the configuration's re-read is an actor, not an action
masterMachine.provide({ actions: { loadConfig: () => {} } });

// The host's machine is built from a complete, correct implementation only.
const neverReloads = async (): Promise<never> => {
  throw new Error('unused');
};
// @ts-expect-error an effects object without spawnWorker
hostedMasterMachine(withoutSpawn, neverReloads, () => 0, deps.log);
export const actions = effectActions(real);

// The streams' events are the machine's own, never re-declared.
// @ts-expect-error WORKER_EXIT has no field `status`
export const badExit: WorkerEvent = { type: 'WORKER_EXIT', id: 1, code: 0, signal: null, status: 0 };
export const spawnFailed: WorkerEvent = { type: 'WORKER_EXIT', id: 1, code: null, signal: null, error: 'spawn EAGAIN' };
// @ts-expect-error a TICK carries the beats
export const tick = stamp({ type: 'TICK' }, 0);
// @ts-expect-error HUP is a signal's event, not a child's
export const notAChild: WorkerEvent = { type: 'HUP' };
export const term: SourceEvent<'TERM' | 'INT' | 'QUIT' | 'HUP' | 'USR1' | 'USR2' | 'TTIN' | 'TTOU' | 'WINCH'> = { type: 'TERM' };
