/**
 * The master's steps, computed once and handed to every observer: each event the machine
 * handled becomes one MasterStep (machines/master.facts.ts), with the facts it emitted on the
 * way (a worker's exit and its reason). The transition log writes the state changes; systemd,
 * hooks, the daemon's starter, metrics, the inspector and the worker log read the step.
 */
import type { InspectionEvent } from 'xstate';
import { masterStep, masterView, type MasterFact, type MasterSnapshotLike, type MasterStep, type MasterView } from '../../../machines/master.facts.js';
import type { Logger } from '../../log.js';
import { transitionLogger } from '../../transition-log.js';

export type StepObserver = (step: MasterStep) => void;

export class MasterSteps {
  private readonly observers: StepObserver[] = [];
  /** Facts emitted while the current event is handled: they arrive before its snapshot. */
  private facts: MasterFact[] = [];
  private last: MasterView | null = null;
  /** The inspect callback for the master actor. */
  readonly inspect: (ev: InspectionEvent) => void;

  constructor(log: Logger) {
    this.inspect = transitionLogger<MasterSnapshotLike>('master', log, (_, next, cause) => {
      const view = masterView(next);
      const step = masterStep(this.last, view, cause, this.facts);
      this.facts = [];
      this.last = view;
      for (const observe of this.observers) observe(step);
    });
  }

  /** The machine emitted a fact (actor.on). */
  readonly fact = (fact: MasterFact): void => {
    this.facts.push(fact);
  };

  /** Observers stay for the master's life: they are attached once, before it starts. */
  observe(observer: StepObserver): void {
    this.observers.push(observer);
  }

  /** The master as the last step left it (null before its first step). */
  get view(): MasterView | null {
    return this.last;
  }
}
