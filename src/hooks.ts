/**
 * Server hooks: functions in the configuration file that statefork calls at set moments, in the
 * master or in a worker (see the README's table). A hook may be async; it is never awaited by
 * the master's machine, and a hook that throws or rejects is logged with its name and changes
 * nothing else.
 */
import type { Logger } from './record-log.js';
import { importFresh } from './fresh-module.js';

export const MASTER_HOOKS = ['onStarting', 'onReload', 'whenReady', 'preFork', 'postFork', 'childExit', 'nworkersChanged', 'onExit', 'preExec'] as const;
export const WORKER_HOOKS = ['postWorkerInit', 'workerInt', 'workerAbort', 'preRequest', 'postRequest', 'workerExit'] as const;
export const HOOK_NAMES = [...MASTER_HOOKS, ...WORKER_HOOKS] as const;
export type HookName = (typeof HOOK_NAMES)[number];
// A user's hook is any function: the arguments each gets are documented, not typed here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Hooks = Partial<Record<HookName, (...args: any[]) => unknown>>;

export function isHookName(key: string): key is HookName {
  return (HOOK_NAMES as readonly string[]).includes(key);
}

/** Calls a hook if there is one; its failure is logged, never thrown. Resolves when it is done. */
export function callHook(hooks: Hooks, name: HookName, log: Logger, ...args: unknown[]): Promise<void> {
  const hook = hooks[name];
  if (!hook) return Promise.resolve();
  const failed = (err: unknown) => log.error({ hook: name, err }, `hook ${name} failed: ${(err as Error)?.message ?? err}`);
  try {
    return Promise.resolve(hook(...args)).then(() => undefined, failed);
  } catch (err) {
    failed(err);
    return Promise.resolve();
  }
}

/**
 * A worker's hooks: the configuration file's functions, loaded afresh. A file that no longer
 * loads leaves the worker without hooks; `failed` says why.
 */
export async function loadHooks(path: string, failed: (e: Error) => void): Promise<Hooks> {
  try {
    const value = await importFresh(path);
    return typeof value === 'object' && value !== null ? (value as Hooks) : {};
  } catch (e) {
    failed(new Error(`config file ${path} does not load: ${(e as Error).message.split('\n')[0]}; fix the file`));
    return {};
  }
}
