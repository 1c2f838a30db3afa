/**
 * The figures a worker's stats message carries (./protocol.ts's `stats`), with the checks the
 * master reads them through: request durations, connections by kind, load, PROXY header
 * rejections. Every field arrives from a process the app runs in, so each is checked.
 */

/** A whole number, 0 or more: every count on the wire. */
export const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Upper bounds (seconds) of the request duration histogram's buckets, Prometheus's defaults. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
export interface Durations {
  counts: number[];
  sum: number;
}

export const isDurations = (d: unknown): d is Durations => {
  const x = d as Durations;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(x.counts) &&
    x.counts.length === DURATION_BUCKETS.length + 1 &&
    x.counts.every((n) => Number.isSafeInteger(n) && n >= 0) &&
    typeof x.sum === 'number' &&
    Number.isFinite(x.sum) &&
    x.sum >= 0
  );
};

/**
 * A worker's open connections by kind: `upgraded` sockets were taken over by the app (WebSocket,
 * anything after an `upgrade`), `streaming` ones carry a response whose headers are out and whose
 * body is still going (Server-Sent Events, chunked streams); `open` counts them all, idle
 * keep-alive sockets and requests in progress included.
 */
export interface Connections {
  open: number;
  upgraded: number;
  streaming: number;
}

/** A worker that has not reported its connections yet. */
export const NO_CONNECTIONS: Connections = Object.freeze({ open: 0, upgraded: 0, streaming: 0 });

export const isConnections = (c: unknown): c is Connections => {
  const x = c as Connections;
  return typeof x === 'object' && x !== null && isCount(x.open) && isCount(x.upgraded) && isCount(x.streaming) && x.upgraded + x.streaming <= x.open;
};

/**
 * How loaded a worker is, over the heartbeat interval before the report: the share of the time its
 * event loop was busy (event-loop utilisation, 0 to 1), the loop's delay (p50 and p99 in ms, from
 * monitorEventLoopDelay) and its memory now (resident set and V8 heap in use, bytes).
 */
export interface WorkerLoad {
  elu: number;
  delayP50Ms: number;
  delayP99Ms: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/**
 * A worker is busy (saturated, still beating: not hung) when its loop was busy nine tenths of the
 * interval or waited half a second or more: requests queue behind one another.
 */
export const BUSY = { elu: 0.9, delayP99Ms: 500 } as const;
export const isBusy = (l: WorkerLoad): boolean => l.elu >= BUSY.elu || l.delayP99Ms >= BUSY.delayP99Ms;

/**
 * Why a worker closed a connection at its PROXY protocol header, since it started: from a peer
 * outside --forwarded-allow-ips (`untrusted`), on a proxy bind without a header (`missing`), a
 * header that is not one (`malformed`) or over the size limit (`too-long`), one slower than
 * --proxy-header-timeout (`timeout`), and a header on a bind that expects none (`unexpected`).
 */
export const PROXY_REJECTIONS = ['untrusted', 'missing', 'malformed', 'too-long', 'timeout', 'unexpected'] as const;
export type ProxyRejectionReason = (typeof PROXY_REJECTIONS)[number];
export type ProxyRejections = Record<ProxyRejectionReason, number>;

export const noProxyRejections = (): ProxyRejections => ({ untrusted: 0, missing: 0, malformed: 0, 'too-long': 0, timeout: 0, unexpected: 0 });

export const isProxyRejections = (r: unknown): r is ProxyRejections =>
  typeof r === 'object' && r !== null && Object.keys(r).length === PROXY_REJECTIONS.length && PROXY_REJECTIONS.every((k) => isCount((r as ProxyRejections)[k]));

export const isMeasure = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

export const isLoad = (l: unknown): l is WorkerLoad => {
  const x = l as WorkerLoad;
  return (
    typeof x === 'object' &&
    x !== null &&
    isMeasure(x.elu) &&
    x.elu <= 1 &&
    isMeasure(x.delayP50Ms) &&
    isMeasure(x.delayP99Ms) &&
    x.delayP50Ms <= x.delayP99Ms &&
    isCount(x.rssBytes) &&
    isCount(x.heapUsedBytes)
  );
};
