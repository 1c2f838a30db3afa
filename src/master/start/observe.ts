/**
 * The observers of the master's steps: each reads the step the machine states, computed once
 * (../host/steps.ts). Resolves once the first generation serves.
 */
import { logWorkerPhases } from '../workers/worker-log.js';
import { hookObserver } from '../observers/hook-observer.js';
import { notifyObserver } from '../process/notify.js';
import type { Begun } from './begin.js';
import type { Held } from './acquire.js';
import type { Hosted } from './hosting.js';

export function observeSteps({ steps, log, live, hookMaster }: Begun, { inspection, notify }: Held, { views }: Hosted): Promise<void> {
  const ready = new Promise<void>((resolve) =>
    steps.observe((step) => {
      if (step.ready) resolve();
    }),
  );
  steps.observe((step) => logWorkerPhases(log, step));
  steps.observe(inspection.step);
  steps.observe(views.step);
  steps.observe(hookObserver(live, hookMaster));
  if (notify) steps.observe(notifyObserver(notify, process.pid));
  return ready;
}
