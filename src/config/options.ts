/**
 * Options as a user gives them (CLI flags or the programmatic API), validated up front and
 * normalised into a Config. Every bad value is one StateforkError naming the option and the form.
 */
import { resolve } from 'node:path';
import { MAX_WORKERS, type MasterSettings } from '../../machines/master.context.js';
import { StateforkError } from '../errors.js';
import { defaultBind, parseBind } from './bind.js';
import { parseAppSpec } from './app-spec.js';
import { DEFAULT_ACCESS_FORMAT } from '../../machines/worker-settings.js';
import { recycleLimits } from './recycle.js';
import { tlsFiles } from './tls.js';
import { checkEnv, checkUmask } from './process-options.js';
import { inspectorAddress, listenAddress } from './inspector-address.js';
import { controlSocketOption } from './control-socket.js';
import { workerIdentity } from './identity.js';
import { checkReusePort } from './reuse-port.js';
import { changeDirectory, defaultWorkers, defaultWorkerTmpDir } from './host-defaults.js';

export { defaultWorkerTmpDir };

export { LOG_LEVELS, DEFAULT_INSPECTOR, type LogLevelName, type Options, type Config } from './types.js';
import { LOG_LEVELS, type Config, type Options } from './types.js';

import { DEFAULTS } from './defaults.js';

export { DEFAULTS };

export function usage(message: string): never {
  throw new StateforkError('SF_USAGE', message);
}

export function checkPositiveInt(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) usage(`invalid ${name} '${value}': expected a whole number of 1 or more (e.g. ${name} 4)`);
  return n;
}

export function checkSeconds(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) usage(`invalid ${name} '${value}': expected a number of seconds, 0 or more (e.g. ${name} 30)`);
  return n;
}

/** Where each option's value came from: 'command line', 'STATEFORK_CMD_ARGS', 'config file PATH'. */
export type Sources = Partial<Record<keyof Options, string>>;

/** Validates one option with field()'s error wording; the option checkers in ./*.ts take it. */
export type Field = <T>(key: keyof Options, check: () => T) => T;

/** A true/false option (a flag on the command line, a boolean in a config file). */
export function checkFlag(key: 'captureOutput' | 'daemon' | 'reusePort' | 'upgradeAuto', value: unknown, f: Field): boolean {
  if (value === undefined) return false;
  return f(key, () => {
    if (typeof value !== 'boolean') usage(`invalid ${key} '${value}': expected true or false`);
    return value;
  });
}

/** A booting worker yields to the serving ones this much (a nice value), unless told otherwise. */
export const DEFAULT_BOOT_NICE = 10;

export function checkNice(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 19) usage(`invalid ${name} '${value}': expected a nice value from 0 (off) to 19 (e.g. ${name} 10)`);
  return n;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value) usage(`invalid ${name} '${value}': expected a non-empty string`);
  return value;
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
  if (!options.app) usage('no app given: pass the path of a module that exports a request listener, a { fetch } object or an http.Server (e.g. statefork ./app.js), or set app in the config file');
  const f = <T>(key: keyof Options, check: () => T) => field(key, sources, check);
  // First: every relative path below (app, sockets, files) is taken from the new directory.
  const chdir = options.chdir === undefined ? null : f('chdir', () => changeDirectory(checkString('--chdir', options.chdir)));
  const binds = f('bind', () => {
    const list = options.bind === undefined || (Array.isArray(options.bind) && options.bind.length === 0)
      ? [defaultBind(env)]
      : Array.isArray(options.bind) ? options.bind : [options.bind];
    return list.map((b) => parseBind(checkString('--bind', b)));
  });
  const logLevel = f('logLevel', () => {
    const level = options.logLevel ?? DEFAULTS.logLevel;
    if (!LOG_LEVELS.includes(level)) usage(`invalid --log-level '${level}': expected one of ${LOG_LEVELS.join(', ')}`);
    return level;
  });
  const app = f('app', () => parseAppSpec(checkString('app', options.app)));
  const optionalPath = (key: 'workerTmpDir' | 'pid' | 'name' | 'errorLog', flag: string) =>
    options[key] === undefined ? undefined : f(key, () => checkString(flag, options[key]));
  const requestTimeout = f('requestTimeout', () => checkSeconds('--request-timeout', options.requestTimeout ?? DEFAULTS.requestTimeout));
  const headersTimeout = f('headersTimeout', () => checkSeconds('--headers-timeout', options.headersTimeout ?? DEFAULTS.headersTimeout));
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    usage(`invalid --headers-timeout '${headersTimeout}': it must not exceed --request-timeout (${requestTimeout}); lower it or raise --request-timeout`);
  }
  const maxWorkers = options.maxWorkers === undefined ? MAX_WORKERS : f('maxWorkers', () => checkPositiveInt('--max-workers', options.maxWorkers));
  const workers = options.workers === undefined ? defaultWorkers(env) : f('workers', () => checkPositiveInt('--workers', options.workers));
  if (workers > maxWorkers) {
    const name = options.workers !== undefined ? '--workers' : env.WEB_CONCURRENCY ? 'WEB_CONCURRENCY' : '--workers (the number of CPUs)';
    f(options.workers !== undefined ? 'workers' : 'maxWorkers', () => usage(`invalid ${name} '${workers}': it must not exceed --max-workers (${maxWorkers}); lower it or raise --max-workers`));
  }
  return {
    app,
    binds,
    workers,
    maxWorkers,
    bootNice: options.bootNice === undefined ? DEFAULT_BOOT_NICE : f('bootNice', () => checkNice('--boot-nice', options.bootNice)),
    timeout: f('timeout', () => checkSeconds('--timeout', options.timeout ?? DEFAULTS.timeout)),
    gracefulTimeout: f('gracefulTimeout', () => checkSeconds('--graceful-timeout', options.gracefulTimeout ?? DEFAULTS.gracefulTimeout)),
    bootTimeout: f('bootTimeout', () => checkSeconds('--boot-timeout', options.bootTimeout ?? DEFAULTS.bootTimeout)),
    drainDelay: f('drainDelay', () => checkSeconds('--drain-delay', options.drainDelay ?? DEFAULTS.drainDelay)),
    keepAlive: f('keepAlive', () => checkSeconds('--keep-alive', options.keepAlive ?? DEFAULTS.keepAlive)),
    maxHeaderSize: f('maxHeaderSize', () => checkPositiveInt('--max-header-size', options.maxHeaderSize ?? DEFAULTS.maxHeaderSize)),
    headersTimeout,
    requestTimeout,
    recycle: recycleLimits(options, f),
    env: options.env === undefined ? {} : f('env', () => checkEnv(options.env)),
    umask: options.umask === undefined ? null : f('umask', () => checkUmask(options.umask)),
    workerIdentity: workerIdentity(options, f),
    chdir,
    workerTmpDir: resolve(optionalPath('workerTmpDir', '--worker-tmp-dir') ?? defaultWorkerTmpDir()),
    pidfile: options.pid !== undefined ? resolve(optionalPath('pid', '--pid')!) : null,
    name: optionalPath('name', '--name') ?? app.text,
    logLevel,
    errorLog: optionalPath('errorLog', '--error-log') ?? DEFAULTS.errorLog,
    inspector: options.inspector === undefined || options.inspector === false ? null : f('inspector', () => inspectorAddress(options.inspector!)),
    controlSocket: f('controlSocket', () => controlSocketOption(options.controlSocket)),
    metrics: options.metrics === undefined ? null : f('metrics', () => listenAddress('--metrics', options.metrics!, '127.0.0.1:9100')),
    record: options.record === undefined ? null : resolve(f('record', () => checkString('--record', options.record))),
    accessLog: options.accessLog === undefined ? null : f('accessLog', () => {
      const target = checkString('--access-log', options.accessLog);
      return target === '-' ? target : resolve(target);
    }),
    tls: tlsFiles(options, sources),
    reload: !options.reload ? null : { extraFiles: f('reloadExtraFile', () => ([] as string[]).concat(options.reloadExtraFile ?? []).map((p) => resolve(checkString('--reload-extra-file', p)))) },
    captureOutput: checkFlag('captureOutput', options.captureOutput, f),
    daemon: checkFlag('daemon', options.daemon, f),
    reusePort: checkReusePort(checkFlag('reusePort', options.reusePort, f), binds, f),
    upgradeAuto: checkFlag('upgradeAuto', options.upgradeAuto, f),
    accessLogFormat: options.accessLogFormat === undefined ? DEFAULT_ACCESS_FORMAT : f('accessLogFormat', () => checkString('--access-log-format', options.accessLogFormat)),
    inspectStately: options.inspectStately === undefined ? null : f('inspectStately', () => {
      const url = checkString('--inspect-stately', options.inspectStately);
      if (!/^wss?:\/\/[^/\s]+/.test(url)) usage(`invalid --inspect-stately '${url}': expected a WebSocket address (e.g. --inspect-stately ws://127.0.0.1:8080)`);
      return url;
    }),
  };
}

export function masterSettings(config: Config): MasterSettings {
  return {
    workers: config.workers,
    maxWorkers: config.maxWorkers,
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
