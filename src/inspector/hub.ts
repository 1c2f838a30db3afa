/**
 * What the live inspector shows, kept by the master: the master's state, each worker as the
 * master sees it, and a timeline of what happened (signals, worker events, ticks that changed
 * something) with the transition each caused. Every change goes out as one message to the page
 * (SSE) and to the recording (--record), so a replay shows the same sequence.
 */
import type { MasterStep } from '../../machines/master.facts.js';

export interface WorkerRow {
  id: number;
  pid: number | null;
  generation: number;
  phase: string;
  spawnedAt: number;
  readyAt: number | null;
  beatAt: number;
}

export interface Step {
  kind: 'step';
  at: number; // wall-clock ms
  now: number; // master monotonic ms
  cause: string;
  master: { from: string | null; to: string };
  workers: WorkerRow[];
  changes: Array<{ id: number; pid: number | null; from: string; to: string }>;
}

const TIMELINE = 500;

export class InspectorHub {
  readonly steps: Step[] = [];
  private readonly listeners = new Set<(step: Step) => void>();

  constructor(private readonly clock: () => number) {}

  /** Called for each master step; ticks that change nothing are not news. */
  step({ before, after: next, cause, moved, workers }: MasterStep): void {
    const after = next.context.workers;
    const changes: Step['changes'] = workers.map(({ w, from, to }) => ({ id: w.id, pid: w.pid, from, to }));
    if (cause === 'TICK' && !changes.length && !moved) return;
    const [from, to] = [before?.state ?? null, next.state];
    const step: Step = {
      kind: 'step', at: Date.now(), now: this.clock(), cause, master: { from, to }, changes,
      workers: after.map(({ id, pid, generation, phase, spawnedAt, readyAt, beatAt }) => ({ id, pid, generation, phase, spawnedAt, readyAt, beatAt })),
    };
    this.push(step);
  }

  push(step: Step): void {
    this.steps.push(step);
    if (this.steps.length > TIMELINE) this.steps.shift();
    for (const listener of this.listeners) listener(step);
  }

  subscribe(listener: (step: Step) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
