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

/** The timeline keeps this many steps: a bounded memory, whatever runs for how long. */
export const TIMELINE = 500;

/** A worker as the page's table shows it now: its ages measured by the master at the request. */
export interface LiveWorker extends WorkerRow {
  ageMs: number;
  /** Since the heartbeat the master last saw (null before it is ready). */
  beatAgeMs: number | null;
}

export class InspectorHub {
  readonly steps: Step[] = [];
  private readonly listeners = new Set<(step: Step) => void>();
  /** The workers after the latest step of any kind: a tick that changes no phase still moves the heartbeats. */
  private latest: { state: string | null; workers: WorkerRow[] } = { state: null, workers: [] };

  /**
   * Each worker's latest heartbeat stamp (wall-clock ms), read when asked: the page's heartbeat age
   * is then at most one beat old, not one beat and one check. Set by the host once its workers exist.
   */
  beats: (() => Record<number, number>) | null = null;

  constructor(private readonly clock: () => number) {}

  /** Called for each master step; ticks that change nothing are not news for the timeline. */
  step({ before, after: next, cause, moved, workers }: MasterStep): void {
    const rows = next.context.workers.map(({ id, pid, generation, phase, spawnedAt, readyAt, beatAt }) => ({
      id,
      pid,
      generation,
      phase,
      spawnedAt,
      readyAt,
      beatAt,
    }));
    this.latest = { state: next.state, workers: rows };
    const changes: Step['changes'] = workers.map(({ w, from, to }) => ({ id: w.id, pid: w.pid, from, to }));
    if (cause === 'TICK' && !changes.length && !moved) return;
    const [from, to] = [before?.state ?? null, next.state];
    this.push({ kind: 'step', at: Date.now(), now: this.clock(), cause, master: { from, to }, changes, workers: rows });
  }

  /** The master's state and its workers now, with their ages at this moment. */
  live(): { state: string | null; workers: LiveWorker[] } {
    const now = this.clock();
    const stamps = this.beats?.() ?? {};
    const wall = Date.now();
    const beatAge = (w: WorkerRow) => {
      if (w.readyAt === null) return null;
      const stamp = stamps[w.id];
      // The stamp, when it is newer than the check's: the same view, fresher. A stamp in the
      // future is a worker's word the machine never takes either (it only sees stamps change).
      const fresh = stamp === undefined || stamp > wall ? Infinity : wall - stamp;
      return Math.max(0, Math.min(now - w.beatAt, fresh));
    };
    return { state: this.latest.state, workers: this.latest.workers.map((w) => ({ ...w, ageMs: Math.max(0, now - w.spawnedAt), beatAgeMs: beatAge(w) })) };
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
