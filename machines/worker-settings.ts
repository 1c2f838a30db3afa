/**
 * The spawn contract: what the master hands a worker at spawn time, as JSON in the environment
 * variable ENV.worker (protocol.ts). Plain data, imported by both sides: the master writes it,
 * the worker reads it and loads nothing of the master's configuration.
 */

/** The app to load: `path` or `path:exportName`, like gunicorn's `module:app`. */
export interface AppSpec {
  text: string;
  path: string;
  exportName: string | null;
}

/** Node's own HTTP server limits, as the worker applies them (0 disables a timeout). */
export interface HttpLimits {
  maxHeaderSize: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Worker recycling limits (--max-requests, --max-requests-jitter, --max-memory); 0 turns one off. */
export interface RecycleLimits {
  /** Requests a worker serves before it asks to be replaced; 0: never. */
  maxRequests: number;
  /** Up to this many more, chosen at random per worker, so workers do not all recycle at once. */
  maxRequestsJitter: number;
  /** Resident memory (MiB) above which a worker asks to be replaced, checked on each heartbeat; 0: never. */
  maxMemoryMb: number;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface WorkerSettings {
  id: number;
  generation: number;
  app: AppSpec;
  name: string;
  masterPid: number;
  /** fd of the heartbeat file (WORKER_FD.heartbeat) and how often to bump it. */
  heartbeatFd: number;
  heartbeatMs: number;
  /** fds of the listening sockets, in --bind order (from WORKER_FD.firstListener on). */
  listenFds: number[];
  /** --reuse-port: addresses this worker binds itself, with SO_REUSEPORT. */
  reuseBinds: Array<{ host: string; port: number }>;
  /** For each of listenFds then reuseBinds: its connections start with a PROXY protocol header (`--bind proxy:`). */
  proxyBinds: boolean[];
  /**
   * --forwarded-allow-ips: the peers (CIDR ranges, or `*`) whose PROXY header is believed, and whose
   * X-Forwarded-For names the client in statefork's own access log.
   */
  forwardedAllowIps: string[];
  /** --proxy-header-timeout: a connection on a proxy bind has this long to send its whole header. */
  proxyHeaderTimeoutMs: number;
  /** --boot-timeout (0: none): an app that has not listened by then fails with the reason, before the master kills it. */
  bootTimeoutMs: number;
  keepAliveMs: number;
  /** --graceful-timeout: a worker TERMed by anyone but the master (no drain note) ends what is open by then. */
  gracefulTimeoutMs: number;
  limits: HttpLimits;
  recycle: RecycleLimits;
  accessLog: { target: string; format: string } | null;
  /** `http2`: --http2, HTTP/2 by ALPN with HTTP/1.1 as the fallback. */
  tls: { cert: string; key: string; ca: string | null; http2?: boolean } | null;
  /** The configuration file, where the worker finds its hooks. */
  configFile: string | null;
  logLevel: LogLevelName;
  errorLog: string;
  /**
   * --hang-stacks: a watchdog thread takes the main thread's JavaScript stack once its heartbeat
   * has stood still `stallMs` (before the master's --timeout), and sends it on WORKER_FD.watchdog.
   */
  hangStacks: { stallMs: number } | null;
  /** --metrics is on: measure each request's duration (otherwise nothing is paid for it). */
  measureDurations: boolean;
  /** The error log is a file: write records to WORKER_FD.log, and the master writes them to it. */
  logToMaster: boolean;
}

/** The access log's format when none is given: the common log format plus referer and user agent (gunicorn's atoms). */
export const DEFAULT_ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"';

/** Node's HTTP limits when none are given (--check-config loads the app without a master). */
export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxHeaderSize: 16384, headersTimeoutMs: 60_000, requestTimeoutMs: 300_000 };

/**
 * The watchdog takes the stack halfway to the master's --timeout: early enough that it is there
 * when the master acts, late enough that a slow but healthy loop is left alone. Never below two
 * heartbeats.
 */
export function stallBeforeStack(timeoutSeconds: number): number {
  return Math.max(2 * heartbeatPeriod(timeoutSeconds), Math.round((timeoutSeconds * 1000) / 2));
}

/** Beat four times per timeout, and at least once a second, so one slow beat is never a timeout. */
export function heartbeatPeriod(timeoutSeconds: number): number {
  return timeoutSeconds > 0 ? Math.max(50, Math.min(1000, (timeoutSeconds * 1000) / 4)) : 1000;
}
