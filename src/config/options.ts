/**
 * Options as a user gives them (CLI flags or the programmatic API), validated up front and
 * normalised into a Config. Every bad value is one StatforkError naming the option and the form.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { MasterSettings } from '../../machines/master.context.js';
import { StatforkError } from '../errors.js';
import { defaultBind, parseBind, type BindSpec } from './bind.js';
import { parseAppSpec, type AppSpec } from './app-spec.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** What a user may pass; times are in seconds, as on the command line. */
export interface Options {
  app: string;
  bind?: string | string[];
  workers?: number;
  timeout?: number;
  gracefulTimeout?: number;
  bootTimeout?: number;
  keepAlive?: number;
  workerTmpDir?: string;
  pid?: string;
  name?: string;
  logLevel?: LogLevelName;
  errorLog?: string;
}

export interface Config {
  app: AppSpec;
  binds: BindSpec[];
  workers: number;
  timeout: number;
  gracefulTimeout: number;
  bootTimeout: number;
  keepAlive: number;
  workerTmpDir: string;
  pidfile: string | null;
  name: string;
  logLevel: LogLevelName;
  errorLog: string;
}

export const DEFAULTS = { timeout: 30, gracefulTimeout: 30, bootTimeout: 60, keepAlive: 5, logLevel: 'info', errorLog: '-' } as const;

function usage(message: string): never {
  throw new StatforkError('SF_USAGE', message);
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

/** The worker count when none is given: WEB_CONCURRENCY (Heroku's convention), else one per CPU. */
function defaultWorkers(env: NodeJS.ProcessEnv): number {
  if (env.WEB_CONCURRENCY === undefined || env.WEB_CONCURRENCY === '') return availableParallelism();
  const n = Number(env.WEB_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1) usage(`invalid WEB_CONCURRENCY '${env.WEB_CONCURRENCY}': expected a whole number of 1 or more, or unset it`);
  return n;
}

/** /dev/shm is tmpfs: heartbeat writes never wait on a disk (gunicorn's FAQ learned this the hard way). */
export function defaultWorkerTmpDir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // not usable: fall back below
  }
  return tmpdir();
}

export function normalize(options: Options, env: NodeJS.ProcessEnv = process.env): Config {
  if (!options.app) usage('no app given: pass the path of a module that exports a request listener, a { fetch } object or an http.Server (e.g. statefork ./app.js)');
  const binds = options.bind === undefined || (Array.isArray(options.bind) && options.bind.length === 0)
    ? [defaultBind(env)]
    : Array.isArray(options.bind) ? options.bind : [options.bind];
  const logLevel = options.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) usage(`invalid --log-level '${logLevel}': expected one of ${LOG_LEVELS.join(', ')}`);
  const app = parseAppSpec(options.app);
  return {
    app,
    binds: binds.map(parseBind),
    workers: options.workers === undefined ? defaultWorkers(env) : checkPositiveInt('--workers', options.workers),
    timeout: checkSeconds('--timeout', options.timeout ?? DEFAULTS.timeout),
    gracefulTimeout: checkSeconds('--graceful-timeout', options.gracefulTimeout ?? DEFAULTS.gracefulTimeout),
    bootTimeout: checkSeconds('--boot-timeout', options.bootTimeout ?? DEFAULTS.bootTimeout),
    keepAlive: checkSeconds('--keep-alive', options.keepAlive ?? DEFAULTS.keepAlive),
    workerTmpDir: resolve(options.workerTmpDir ?? defaultWorkerTmpDir()),
    pidfile: options.pid ? resolve(options.pid) : null,
    name: options.name ?? app.text,
    logLevel,
    errorLog: options.errorLog ?? DEFAULTS.errorLog,
  };
}

export function masterSettings(config: Config): MasterSettings {
  return {
    workers: config.workers,
    timeoutMs: Math.round(config.timeout * 1000),
    gracefulTimeoutMs: Math.round(config.gracefulTimeout * 1000),
    bootTimeoutMs: Math.round(config.bootTimeout * 1000),
  };
}

/** The master checks often enough that a timeout of a few seconds is still caught within ~25%. */
export function tickInterval(config: Config): number {
  const shortest = Math.min(...[config.timeout, config.gracefulTimeout, config.bootTimeout].filter((s) => s > 0), 4);
  return Math.max(100, Math.min(1000, (shortest * 1000) / 4));
}
