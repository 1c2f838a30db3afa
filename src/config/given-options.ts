/**
 * The options as a user gives them (command line, config file, environment): the shape the option
 * table's rows check, below everything that normalises them (types.ts holds the result, Config).
 */
export { LOG_LEVELS, type LogLevelName } from '../../machines/worker-settings.js';
import type { LogLevelName } from '../../machines/worker-settings.js';

/** What a user may pass; times are in seconds, as on the command line. */
export interface Options {
  app: string;
  bind?: string | string[];
  /** A fixed count, or 'MIN:MAX' (MAX may be 'auto': the host's ceiling) for an adaptive one. */
  workers?: number | string;
  /** Fixed count: the most workers TTIN and `statefork scale` may reach; adaptive: MAX. */
  maxWorkers?: number;
  /** The fewest workers: makes the count adaptive (as --workers MIN:MAX). */
  minWorkers?: number;
  scaleUpElu?: number | string;
  scaleDownElu?: number | string;
  scaleUpAfter?: number;
  scaleUpQueue?: number;
  scaleDownAfter?: number;
  scaleCooldown?: number;
  /** The nice value a worker boots with (0: none), restored once it is ready. */
  bootNice?: number;
  timeout?: number;
  gracefulTimeout?: number;
  bootTimeout?: number;
  drainDelay?: number;
  keepAlive?: number;
  /** Comma-separated addresses and CIDR ranges, or '*', or a list of them. */
  forwardedAllowIps?: string | string[];
  /** HTTP/2 on the TLS binds (with --certfile). */
  http2?: boolean;
  proxyHeaderTimeout?: number;
  maxHeaderSize?: number;
  headersTimeout?: number;
  requestTimeout?: number;
  maxRequests?: number;
  maxRequestsJitter?: number;
  /** MiB. */
  maxMemory?: number;
  workerTmpDir?: string;
  /** KEY=VALUE strings, or an object. */
  env?: string | string[] | Record<string, string>;
  /** Modules each worker preloads (never the master), and Node flags for the workers only. */
  import?: string | string[];
  require?: string | string[];
  nodeOption?: string | string[];
  /** Octal: '027', or a number. */
  umask?: string | number;
  /** Octal mode of the log files statefork creates: '0640', or a number. */
  logFileMode?: string | number;
  /** RECORDS:BYTES a second from each worker into the error log ('5000:4MiB'), or 0 for no limit. */
  workerLogRate?: string | number;
  /** Where --inspector-controls writes the page's token (a new file, mode 0600). */
  inspectorTokenFile?: string;
  /** Working directory of the master and workers; relative paths are taken from it. */
  chdir?: string;
  /** Name or uid (and group name or gid) the workers run as. */
  user?: string | number;
  group?: string | number;
  pid?: string;
  name?: string;
  logLevel?: LogLevelName;
  errorLog?: string;
  accessLog?: string;
  accessLogFormat?: string;
  certfile?: string;
  keyfile?: string;
  caCerts?: string;
  captureOutput?: boolean;
  daemon?: boolean;
  reusePort?: boolean;
  upgradeAuto?: boolean;
  /** A watchdog thread in each worker takes the stack of a hung main thread (--no-hang-stacks: none). */
  hangStacks?: boolean;
  reload?: boolean;
  reloadExtraFile?: string | string[];
  /** HOST:PORT of the live inspector; `true` for the default address. */
  inspector?: string | boolean;
  /** The inspector page may send control commands (with the run's token). */
  inspectorControls?: boolean;
  /** The control socket's path; false disables it (--no-control-socket). */
  controlSocket?: string | boolean;
  /** HOST:PORT (or PORT, on loopback) for Prometheus metrics; off when absent. */
  metrics?: string;
  /** HOST:PORT (or PORT, on loopback) for the health endpoints (/readyz, /livez, /startupz); off when absent. */
  health?: string;
  record?: string;
  /** ws:// address of a Stately inspector relay (@statelyai/inspect) to forward inspection events to. */
  inspectStately?: string;
}

/** Where each option's value came from: 'command line', 'STATEFORK_CMD_ARGS', 'config file PATH'. */
export type Sources = Partial<Record<keyof Options, string>>;

/** Validates one option with field()'s error wording (options.ts); the option checkers in ./*.ts take it. */
export type Field = <T>(key: keyof Options, check: () => T) => T;
