/** What the master hands a worker at spawn time, as JSON in one environment variable. */
import type { AppSpec } from '../config/app-spec.js';
import type { LogLevelName } from '../config/options.js';
import type { RecycleLimits } from '../config/recycle.js';

export const WORKER_ENV = 'STATEFORK_WORKER';

/** Node's own HTTP server limits, as the worker applies them (0 disables a timeout). */
export interface HttpLimits {
  maxHeaderSize: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface WorkerSettings {
  id: number;
  generation: number;
  app: AppSpec;
  name: string;
  masterPid: number;
  /** fd of the heartbeat file and how often to bump it. */
  heartbeatFd: number;
  heartbeatMs: number;
  /** fds of the listening sockets, in --bind order. */
  listenFds: number[];
  /** --reuse-port: addresses this worker binds itself, with SO_REUSEPORT. */
  reuseBinds: Array<{ host: string; port: number }>;
  keepAliveMs: number;
  limits: HttpLimits;
  recycle: RecycleLimits;
  accessLog: { target: string; format: string } | null;
  tls: { cert: string; key: string; ca: string | null } | null;
  /** The configuration file, where the worker finds its hooks. */
  configFile: string | null;
  logLevel: LogLevelName;
  errorLog: string;
  /** --metrics is on: measure each request's duration (otherwise nothing is paid for it). */
  measureDurations: boolean;
  /** The error log is a file: write records to LOG_FD, and the master writes them to it. */
  logToMaster: boolean;
}

/**
 * A worker's file descriptors: stdin, stdout, stderr, its channel to the master (a socket pair,
 * see machines/protocol.ts), the heartbeat file, the pipe its log records go to when the master
 * writes the error log for it, then the listening sockets. Nothing else is inherited.
 */
export const IPC_FD = 3;
export const HEARTBEAT_FD = 4;
export const LOG_FD = 5;
export const FIRST_LISTEN_FD = 6;

/** Beat four times per timeout, and at least once a second, so one slow beat is never a timeout. */
export function heartbeatPeriod(timeoutSeconds: number): number {
  return timeoutSeconds > 0 ? Math.max(50, Math.min(1000, (timeoutSeconds * 1000) / 4)) : 1000;
}
