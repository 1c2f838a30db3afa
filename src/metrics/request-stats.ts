/**
 * What the workers report on their heartbeat: requests served and their durations (each its own
 * running totals since it started: the live workers' latest, plus what the workers that are gone
 * had reported, so a total never goes down when a worker is replaced), and each live worker's
 * open connections and load now.
 */
import {
  DURATION_BUCKETS,
  NO_CONNECTIONS,
  noProxyRejections,
  PROXY_REJECTIONS,
  type Connections,
  type Durations,
  type ProxyRejections,
  type WorkerLoad,
} from '../../machines/protocol.js';

const empty = (): Durations => ({ counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 });

export class RequestStats {
  private readonly live = new Map<
    number,
    { requests: number; durations: Durations; logFailures: number; connections: Connections; load: WorkerLoad | null; proxyRejected: ProxyRejections }
  >();
  private readonly gone = { requests: 0, durations: empty(), logFailures: 0, proxyRejected: noProxyRejections() };

  /**
   * `logFailures`: access-log lines the worker could not write (a full disk); `connections`: open
   * now, by kind; `proxyRejected`: connections it closed at their PROXY header, by reason.
   */
  update(
    id: number,
    requests: number,
    durations: Durations = empty(),
    logFailures = 0,
    connections: Connections = NO_CONNECTIONS,
    load: WorkerLoad | null = null,
    proxyRejected: ProxyRejections = noProxyRejections(),
  ): void {
    this.live.set(id, { requests, durations, logFailures, connections, load, proxyRejected });
  }

  /** The worker is gone: what it reported last stays in the totals. */
  retire(id: number): void {
    const last = this.live.get(id);
    if (!last) return;
    this.gone.requests += last.requests;
    this.gone.logFailures += last.logFailures;
    for (const k of PROXY_REJECTIONS) this.gone.proxyRejected[k] += last.proxyRejected[k];
    last.durations.counts.forEach((n, i) => {
      this.gone.durations.counts[i] += n;
    });
    this.gone.durations.sum += last.durations.sum;
    this.live.delete(id);
  }

  /** Requests served by each live worker, by worker id. */
  byWorker(): Map<number, number> {
    return new Map([...this.live].map(([id, s]) => [id, s.requests]));
  }

  /** Each live worker's open connections by kind, as it last reported them. */
  connections(): Map<number, Connections> {
    return new Map([...this.live].map(([id, s]) => [id, s.connections]));
  }

  /** Each live worker's load over its last heartbeat interval, once it has reported one. */
  load(): Map<number, WorkerLoad> {
    return new Map([...this.live].flatMap(([id, s]) => (s.load ? [[id, s.load] as const] : [])));
  }

  /** Connections closed at their PROXY header, by reason, by the live workers and those gone. */
  proxyRejected(): ProxyRejections {
    const t = { ...this.gone.proxyRejected };
    for (const s of this.live.values()) for (const k of PROXY_REJECTIONS) t[k] += s.proxyRejected[k];
    return t;
  }

  totals(): { requests: number; durations: Durations; logFailures: number } {
    const t = {
      requests: this.gone.requests,
      durations: { counts: [...this.gone.durations.counts], sum: this.gone.durations.sum },
      logFailures: this.gone.logFailures,
    };
    for (const s of this.live.values()) {
      t.requests += s.requests;
      t.logFailures += s.logFailures;
      s.durations.counts.forEach((n, i) => {
        t.durations.counts[i] += n;
      });
      t.durations.sum += s.durations.sum;
    }
    return t;
  }
}
