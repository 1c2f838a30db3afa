/**
 * The inspector's short memory of each worker's figures, for the page's sparklines: one point
 * per master check (about a second), the last HISTORY_POINTS of them, dropped with the worker.
 * Requests arrive as running totals; the page gets them as a rate between two points.
 */
import type { WorkerLoad } from '../../machines/protocol.js';

/** Three minutes at one point a second: "the last minutes", and a bounded memory. */
export const HISTORY_POINTS = 180;

export interface WorkerFigures {
  requests: number;
  load: WorkerLoad | undefined;
  rssBytes: number | null;
  /** Open connections, from the worker's last report. */
  open?: number;
}

export interface Point {
  /** Wall clock, ms. */
  at: number;
  /** Requests per second since the point before (null for the first). */
  rps: number | null;
  elu: number | null;
  delayP99Ms: number | null;
  rssBytes: number | null;
  open: number | null;
}

export class FigureHistory {
  private readonly series = new Map<number, Point[]>();
  private readonly last = new Map<number, { at: number; requests: number }>();

  /** One point for each worker in `figures`; a worker that is no longer there is forgotten. */
  sample(at: number, figures: Map<number, WorkerFigures>): void {
    for (const id of [...this.series.keys()]) {
      if (!figures.has(id)) {
        this.series.delete(id);
        this.last.delete(id);
      }
    }
    for (const [id, f] of figures) {
      const before = this.last.get(id);
      const seconds = before ? (at - before.at) / 1000 : 0;
      // A total that went down is a new count (a replacement under the same id never happens, but be safe).
      const rps = before && seconds > 0 && f.requests >= before.requests ? (f.requests - before.requests) / seconds : null;
      this.last.set(id, { at, requests: f.requests });
      const points = this.series.get(id) ?? [];
      points.push({
        at,
        rps: rps === null ? null : Math.round(rps * 10) / 10,
        elu: f.load?.elu ?? null,
        delayP99Ms: f.load?.delayP99Ms ?? null,
        rssBytes: f.rssBytes,
        open: f.open ?? null,
      });
      if (points.length > HISTORY_POINTS) points.splice(0, points.length - HISTORY_POINTS);
      this.series.set(id, points);
    }
  }

  /** Every worker's points, oldest first. */
  all(): Record<number, Point[]> {
    return Object.fromEntries(this.series);
  }
}
