/**
 * Options as a user gives them (CLI flags or the programmatic API), validated up front and
 * normalised into a Config. Each value is read through its row of the option table (its checker
 * and default); what is here are the defaults that depend on the host and the cross-checks
 * between options. Every bad value is one StateforkError naming the option and the form.
 */
import { trustList } from './trust-list.js';
import type { MasterSettings } from '../../machines/master.context.js';
import { StateforkError } from '../errors.js';
import { checkBoolean, usage } from './checks.js';
import { defaultBind } from './bind.js';
import { recycleLimits } from './recycle.js';
import { tlsFiles } from './tls.js';
import { workerIdentity } from './identity.js';
import { workerExecArgv } from './worker-node.js';
import { checkReusePort } from './reuse-port.js';
import { defaultWorkers, defaultWorkerTmpDir } from './host-defaults.js';
import { workerCount } from './worker-count.js';
import { hostLimits } from '../adapters/cgroup-limits.js';
import { OPTION_TABLE as T, type Keyed } from './option-table.js';
import type { OptionRow } from './option-row.js';
import type { Config } from './types.js';
import type { Field, Options, Sources } from './given-options.js';
export type { Field, Sources } from './given-options.js';

export { defaultWorkerTmpDir, usage };
export { checkNice, checkPositiveInt, checkSeconds, checkString } from './checks.js';
export { LOG_LEVELS, DEFAULT_INSPECTOR, type LogLevelName, type Options, type Config } from './types.js';

type Checked<V> = Keyed<OptionRow<V>, keyof Options> & { check: (name: string, value: unknown) => V };

/** A true/false option (a flag on the command line, a boolean in a config file). */
export function checkFlag(key: 'captureOutput' | 'daemon' | 'reusePort' | 'upgradeAuto', value: unknown, f: Field): boolean {
  return value === undefined ? false : f(key, () => checkBoolean(key)(key, value));
}

/**
 * Validates one option; an error names the value's source, and for a config file its key:
 *   invalid workers '0' in config file /srv/statefork.config.js: expected a whole number ...
 */
export function field<T>(key: keyof Options, sources: Sources, check: () => T): T {
  try {
    return check();
  } catch (e) {
    const source = sources[key];
    if (!(e instanceof StateforkError) || !source || source === 'command line') throw e;
    const name = source.startsWith('config file') ? key : undefined;
    const message = e.message.replace(/^invalid (\S+) ('[^']*')/, (_, flag: string, value: string) => `invalid ${name ?? flag} ${value} in ${source}`);
    throw new StateforkError(e.code, message);
  }
}

export function normalize(options: Options, env: NodeJS.ProcessEnv = process.env, sources: Sources = {}): Config {
  if (!options.app)
    usage(
      'no app given: pass the path of a module that exports a request listener, a { fetch } object or an http.Server (e.g. statefork ./app.js), or set app in the config file',
    );
  const f: Field = (key, check) => field(key, sources, check);
  /** The value given, checked; undefined when no layer gave one. */
  const given = <V>(row: Checked<V>): V | undefined => (options[row.key] === undefined ? undefined : f(row.key, () => row.check(row.name, options[row.key])));
  /** The value given or the row's default, checked. */
  const value = <V>(row: Checked<V> & { default: V }): V => f(row.key, () => row.check(row.name, options[row.key] ?? row.default));
  /** A value whose checker also decides what absent means. */
  const checked = <V>(row: Checked<V>): V => f(row.key, () => row.check(row.name, options[row.key]));
  /** A list option: one value or several, each item checked. */
  const list = <V>(row: Checked<V>, fallback: unknown[]): V[] =>
    f(row.key, () => {
      const items = ([] as unknown[]).concat(options[row.key] ?? fallback);
      return (items.length ? items : fallback).map((item) => row.check(row.name, item));
    });
  // First: every relative path below (app, sockets, files) is taken from the new directory.
  const chdir = given(T.chdir) ?? null;
  const binds = list(T.bind, [defaultBind(env)]);
  const logLevel = value(T.logLevel);
  const app = checked(T.app);
  const requestTimeout = value(T.requestTimeout);
  const headersTimeout = value(T.headersTimeout);
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    usage(`invalid --headers-timeout '${headersTimeout}': it must not exceed --request-timeout (${requestTimeout}); lower it or raise --request-timeout`);
  }
  const { workers, maxWorkers, scaling, scaleRules } = workerCount(
    {
      count: given(T.workers),
      minWorkers: given(T.minWorkers),
      maxWorkers: given(T.maxWorkers),
      upElu: value(T.scaleUpElu),
      downElu: value(T.scaleDownElu),
      upAfter: value(T.scaleUpAfter),
      upQueue: value(T.scaleUpQueue),
      downAfter: value(T.scaleDownAfter),
      cooldown: value(T.scaleCooldown),
    },
    () => defaultWorkers(env),
    T.maxWorkers.default,
  );
  if (workers > maxWorkers) {
    const name = options.workers !== undefined ? '--workers' : env.WEB_CONCURRENCY ? 'WEB_CONCURRENCY' : '--workers (the number of CPUs)';
    f(options.workers !== undefined ? 'workers' : 'maxWorkers', () =>
      usage(`invalid ${name} '${workers}': it must not exceed --max-workers (${maxWorkers}); lower it or raise --max-workers`),
    );
  }
  const identity = workerIdentity(options, f);
  const workerNode = { imports: list(T.import, []), requires: list(T.require, []), nodeOptions: list(T.nodeOption, []) };
  const execArgv = f(workerNode.nodeOptions.length ? 'nodeOption' : 'app', () => workerExecArgv(workerNode, app, identity));
  return {
    app,
    binds,
    workers,
    maxWorkers,
    scaling,
    scaleRules,
    limits: hostLimits(env),
    bootNice: value(T.bootNice),
    timeout: value(T.timeout),
    gracefulTimeout: value(T.gracefulTimeout),
    bootTimeout: value(T.bootTimeout),
    drainDelay: value(T.drainDelay),
    keepAlive: value(T.keepAlive),
    forwardedAllowIps: trustList(
      f('forwardedAllowIps', () =>
        T.forwardedAllowIps.check(T.forwardedAllowIps.name, options.forwardedAllowIps ?? (env.FORWARDED_ALLOW_IPS || T.forwardedAllowIps.default)),
      ),
    ),
    proxyHeaderTimeout: value(T.proxyHeaderTimeout),
    maxHeaderSize: value(T.maxHeaderSize),
    headersTimeout,
    requestTimeout,
    recycle: recycleLimits({ maxRequests: value(T.maxRequests), maxRequestsJitter: value(T.maxRequestsJitter), maxMemoryMb: value(T.maxMemory) }),
    env: given(T.env) ?? {},
    umask: given(T.umask) ?? null,
    logFileMode: checked(T.logFileMode),
    workerLogRate: checked(T.workerLogRate),
    inspectorTokenFile: tokenFile(given(T.inspectorTokenFile) ?? null, value(T.inspectorControls)),
    workerIdentity: identity,
    workerNode,
    workerExecArgv: execArgv,
    chdir,
    workerTmpDir: given(T.workerTmpDir) ?? defaultWorkerTmpDir(),
    pidfile: given(T.pid) ?? null,
    name: given(T.name) ?? app.text,
    nameLabel: given(T.name) ?? null,
    logLevel,
    errorLog: value(T.errorLog),
    inspector: given(T.inspector) ?? null,
    inspectorControls: inspectorControls(value(T.inspectorControls), given(T.inspector) ?? null),
    controlSocket: checked(T.controlSocket),
    metrics: given(T.metrics) ?? null,
    health: given(T.health) ?? null,
    record: given(T.record) ?? null,
    accessLog: given(T.accessLog) ?? null,
    tls: tlsFiles({ cert: given(T.certfile) ?? null, key: given(T.keyfile) ?? null, ca: given(T.caCerts) ?? null }),
    reload: value(T.reload) ? { extraFiles: list(T.reloadExtraFile, []) } : null,
    captureOutput: value(T.captureOutput),
    daemon: value(T.daemon),
    reusePort: checkReusePort(value(T.reusePort), binds, f),
    http2: f('http2', () => {
      const on = value(T.http2);
      if (on && !options.certfile)
        usage('invalid --http2: statefork serves HTTP/2 over TLS only (chosen by ALPN); give --certfile and --keyfile too, or drop --http2');
      return on;
    }),
    upgradeAuto: value(T.upgradeAuto),
    hangStacks: value(T.hangStacks),
    accessLogFormat: value(T.accessLogFormat),
    inspectStately: given(T.inspectStately) ?? null,
  };
}

/** A token file without controls would be a file that silently never comes. */
function tokenFile(file: string | null, controls: boolean): string | null {
  if (file && !controls) usage('invalid --inspector-token-file: it holds the token of --inspector-controls; give --inspector-controls too, or drop it');
  return file;
}

/** Controls on a page that is not served would be a setting that silently does nothing. */
function inspectorControls(on: boolean, inspector: unknown): boolean {
  if (on && !inspector) usage('invalid --inspector-controls: it needs --inspector (the page it puts the controls on); give --inspector [address] too');
  return on;
}

export function masterSettings(config: Config): MasterSettings {
  return {
    workers: config.workers,
    maxWorkers: config.maxWorkers,
    ...(config.scaling
      ? {
          scaling: {
            min: config.scaling.min,
            max: config.scaling.max,
            upElu: config.scaling.upElu,
            downElu: config.scaling.downElu,
            upAfterMs: Math.round(config.scaling.upAfter * 1000),
            upQueue: config.scaling.upQueue,
            downAfterMs: Math.round(config.scaling.downAfter * 1000),
            cooldownMs: Math.round(config.scaling.cooldown * 1000),
          },
        }
      : {}),
    limits: { cpus: config.limits.cpus, memoryBytes: config.limits.memoryBytes },
    timeoutMs: Math.round(config.timeout * 1000),
    gracefulTimeoutMs: Math.round(config.gracefulTimeout * 1000),
    bootTimeoutMs: Math.round(config.bootTimeout * 1000),
    drainDelayMs: Math.round(config.drainDelay * 1000),
    upgradeAuto: config.upgradeAuto,
  };
}

/** The master checks often enough that a timeout of a few seconds is still caught within ~25%. */
export function tickInterval(config: Config): number {
  const shortest = Math.min(...[config.timeout, config.gracefulTimeout, config.bootTimeout, config.drainDelay].filter((s) => s > 0), 4);
  return Math.max(100, Math.min(1000, (shortest * 1000) / 4));
}
