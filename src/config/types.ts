/**
 * The configuration once normalised, Config (./options.ts validates the Options a user gives,
 * ./given-options.ts, into it).
 */
import type { CgroupLimits } from '../adapters/cgroup-limits.js';
import type { BindSpec } from './bind.js';
import type { AppSpec } from './app-spec.js';
import type { RecycleLimits } from './recycle.js';
import type { WorkerIdentity } from './identity.js';
import type { WorkerNode } from './worker-node.js';
import type { LogRate } from './process-options.js';

export { LOG_LEVELS, type LogLevelName, type Options } from './given-options.js';
import type { LogLevelName } from './given-options.js';

/** Thresholds (event-loop utilisation, 0..1) and windows (seconds) of the adaptive count. */
export interface ScaleRules {
  upElu: number;
  downElu: number;
  upAfter: number;
  upQueue: number;
  downAfter: number;
  cooldown: number;
}

export const DEFAULT_INSPECTOR = '127.0.0.1:7700';

export interface Config {
  app: AppSpec;
  binds: BindSpec[];
  /** The count to start with: the fixed count, or MIN. */
  workers: number;
  maxWorkers: number;
  /** --workers MIN:MAX: the count follows the load (seconds for the windows); null: fixed. */
  scaling: ({ min: number; max: number | null } & ScaleRules) | null;
  /** The adaptive count's thresholds and windows (seconds), as configured (used only when adaptive). */
  scaleRules: ScaleRules;
  /** The CPUs and memory the host allows, read when the configuration was (src/adapters/cgroup-limits.ts). */
  limits: CgroupLimits;
  bootNice: number;
  timeout: number;
  gracefulTimeout: number;
  bootTimeout: number;
  /** On TERM, seconds of normal serving before the drain (endpoint removal can propagate). */
  drainDelay: number;
  keepAlive: number;
  /** --forwarded-allow-ips, checked: addresses and CIDR ranges, or ['*']. */
  forwardedAllowIps: string[];
  http2: boolean;
  proxyHeaderTimeout: number;
  /** Request limits (Node's own): bytes of request line plus headers; seconds to get the headers, the whole request. */
  maxHeaderSize: number;
  headersTimeout: number;
  requestTimeout: number;
  recycle: RecycleLimits;
  workerTmpDir: string;
  /** Variables the workers get on top of the master's environment. */
  env: Record<string, string>;
  /** --import, --require, --node-option as given, and the Node arguments they make for each worker (worker-node.ts). */
  workerNode: WorkerNode;
  workerExecArgv: string[];
  /** The master's file mode creation mask (the workers inherit it); null keeps the one it got. */
  umask: number | null;
  /** The mode of each log file statefork creates (error log, access log, recording), before the umask. */
  logFileMode: number;
  /** Each worker's share of the error log, a second; null: no limit. */
  workerLogRate: LogRate | null;
  /** --inspector-token-file: the controls' token is written there (0600), besides `statefork dashboard-url`. */
  inspectorTokenFile: string | null;
  /** The working directory --chdir moved to, if any. */
  chdir: string | null;
  /** Who the workers run as; null: the master's own identity. */
  workerIdentity: WorkerIdentity | null;
  pidfile: string | null;
  name: string;
  /** --name when it was given: every metric then carries it as the label `name`. */
  nameLabel: string | null;
  logLevel: LogLevelName;
  errorLog: string;
  accessLog: string | null;
  accessLogFormat: string;
  /** TLS on every bind: paths the workers read when they start (so a HUP picks up new files). */
  tls: { cert: string; key: string; ca: string | null } | null;
  /** Workers' stdout and stderr become records of the error log. */
  captureOutput: boolean;
  /** Detach: run in the background (see src/daemon.ts). */
  daemon: boolean;
  /** Workers bind the TCP addresses themselves with SO_REUSEPORT (see reuse-port.ts). */
  reusePort: boolean;
  /** Hot upgrade in one step: the old master stops once the new one reports ready. */
  upgradeAuto: boolean;
  /** Each worker runs a watchdog thread that takes its main thread's stack when it hangs. */
  hangStacks: boolean;
  /** Development: reload on changes to the app's directory and these extra files. */
  reload: { extraFiles: string[] } | null;
  inspector: { host: string; port: number } | null;
  inspectorControls: boolean;
  /** The control socket; `isDefault`: the per-master path in the default directory. */
  controlSocket: { path: string; isDefault: boolean } | null;
  metrics: { host: string; port: number } | null;
  health: { host: string; port: number } | null;
  record: string | null;
  inspectStately: string | null;
  /** The configuration file, when it has worker hooks: workers load it to find them. */
  workerHooksFile?: string | null;
}
