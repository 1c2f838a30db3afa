/**
 * Requests served and their durations, as the workers report them (each its own running totals
 * since it started): the live workers' latest, plus what the workers that are gone had reported,
 * so a total never goes down when a worker is replaced.
 */
import { DURATION_BUCKETS, type Durations } from '../../machines/protocol.js';

const empty = (): Durations => ({ counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 });

export class RequestStats {
  private readonly live = new Map<number, { requests: number; durations: Durations }>();
  private readonly gone = { requests: 0, durations: empty() };

  update(id: number, requests: number, durations: Durations = empty()): void {
    this.live.set(id, { requests, durations });
  }

  /** The worker is gone: what it reported last stays in the totals. */
  retire(id: number): void {
    const last = this.live.get(id);
    if (!last) return;
    this.gone.requests += last.requests;
    last.durations.counts.forEach((n, i) => { this.gone.durations.counts[i] += n; });
    this.gone.durations.sum += last.durations.sum;
    this.live.delete(id);
  }

  /** Requests served by each live worker, by worker id. */
  byWorker(): Map<number, number> {
    return new Map([...this.live].map(([id, s]) => [id, s.requests]));
  }

  totals(): { requests: number; durations: Durations } {
    const t = { requests: this.gone.requests, durations: { counts: [...this.gone.durations.counts], sum: this.gone.durations.sum } };
    for (const s of this.live.values()) {
      t.requests += s.requests;
      s.durations.counts.forEach((n, i) => { t.durations.counts[i] += n; });
      t.durations.sum += s.durations.sum;
    }
    return t;
  }
}
