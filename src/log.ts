/**
 * The logger factory: pino JSON records (one line each, so a log is a replayable history), or
 * pino-pretty when the error log is a terminal. Writes are synchronous: a record logged right
 * before process.exit() is never lost, and there is no logging thread in every worker.
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import { StatforkError } from './errors.js';
import type { LogLevelName } from './config/options.js';

/** pino-pretty only for a terminal: loaded then, not in every worker (whose stderr is a pipe). */
const prettyStream = (options: Record<string, unknown>) => (createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream)(options);

export type { Logger };

export interface LogSetup {
  logger: Logger;
  /** Reopen the log file (USR1, after logrotate moved it); a no-op on stderr. */
  reopen(): void;
}

export function createLogger(opts: { level: LogLevelName; errorLog: string; base: Record<string, unknown> }): LogSetup {
  const toStderr = opts.errorLog === '-';
  if (toStderr && process.stderr.isTTY) {
    const stream = prettyStream({ sync: true, destination: 2, ignore: 'hostname', translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
    return { logger: pino({ level: opts.level, base: opts.base }, stream), reopen: () => {} };
  }
  let destination: ReturnType<typeof pino.destination>;
  try {
    destination = toStderr
      ? pino.destination({ fd: 2, sync: true })
      : pino.destination({ dest: opts.errorLog, sync: true, append: true, mkdir: false });
  } catch (e) {
    throw new StatforkError('SF_ERROR_LOG', `cannot open --error-log '${opts.errorLog}': ${(e as Error).message}; give a writable file or - for stderr`);
  }
  return {
    logger: pino({ level: opts.level, base: opts.base }, destination),
    reopen: () => { if (!toStderr) destination.reopen(); },
  };
}
