/**
 * What the live inspector shows, kept by the master: the master's state, each worker as the
 * master sees it, and a timeline of what happened (signals, worker events, ticks that changed
 * something) with the transition each caused. Every change goes out as one message to the page
 * (SSE) and to the recording (--record), so a replay shows the same sequence.
 */
import type { MasterContext } from '../../machines/master.context.js';
import { stateName, type SnapshotLike } from '../transition-log.js';

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

  /** Called for each master macrostep; ticks that change nothing are not news. */
  step(prev: SnapshotLike | null, next: SnapshotLike, cause: string): void {
    const before = prev ? (prev.context as MasterContext).workers : [];
    const after = (next.context as MasterContext).workers;
    const old = new Map(before.map((w) => [w.id, w]));
    const changes: Step['changes'] = [];
    for (const w of after) {
      const o = old.get(w.id);
      if (!o || o.phase !== w.phase || o.pid !== w.pid) changes.push({ id: w.id, pid: w.pid, from: o?.phase ?? 'none', to: w.phase });
    }
    const ids = new Set(after.map((w) => w.id));
    for (const w of before) if (!ids.has(w.id)) changes.push({ id: w.id, pid: w.pid, from: w.phase, to: 'exited' });
    const from = prev ? stateName(prev.value) : null;
    const to = stateName(next.value);
    if (cause === 'TICK' && !changes.length && from === to) return;
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
