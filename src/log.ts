/**
 * The logger factory: pino JSON records (one line each, so a log is a replayable history), or
 * pino-pretty when the error log is a terminal. Writes are synchronous (a record logged right
 * before process.exit() is never lost, and there is no logging thread in every worker) and go
 * through a LogSink, so a full disk or a closed stderr is counted, never thrown.
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import { LogSink } from './log-sink.js';
import type { LogLevelName } from './config/options.js';
import { escapeControls, escapeJsonControls } from '../machines/untrusted-text.js';

/**
 * A record for pino-pretty, which prints strings as they are onto a terminal: every string in it
 * (a worker's message, a hang stack's function name) with its control characters escaped.
 */
function forTerminal(line: string): string {
  const clean = (v: unknown): unknown => (typeof v === 'string' ? escapeControls(v) : Array.isArray(v) ? v.map(clean)
    : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [escapeControls(k), clean(x)])) : v);
  try {
    return `${JSON.stringify(clean(JSON.parse(line)))}\n`;
  } catch {
    return `${escapeControls(line.trimEnd())}\n`;
  }
}

/** pino-pretty only for a terminal: loaded then, not in every worker (whose stderr is a pipe). */
const prettyStream = (options: Record<string, unknown>) => (createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream)(options);

export type { Logger };

export interface LogSetup {
  logger: Logger;
  /** Reopen the log file (USR1, after logrotate moved it); a no-op on stderr. Never throws. */
  reopen(): void;
  /** Writes a record that is already one JSON line (a worker's, relayed by the master). */
  raw(line: string): void;
  /** Records that could not be written (a full disk), since the start. */
  failures(): number;
}

export interface LoggerOptions {
  level: LogLevelName;
  /** A path, or '-' for stderr. */
  errorLog: string;
  base: Record<string, unknown>;
  /** The mode of a log file it creates (--log-file-mode). */
  fileMode?: number;
  /** Write to this fd instead (a worker whose master writes the error log for it). */
  fd?: number;
}

export function createLogger(opts: LoggerOptions): LogSetup {
  const toStderr = opts.fd === undefined && opts.errorLog === '-';
  if (toStderr && process.stderr.isTTY) {
    const stream = prettyStream({ sync: true, destination: 2, ignore: 'hostname', translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
    const write = (line: string) => stream.write(forTerminal(line));
    return { logger: pino({ level: opts.level, base: opts.base }, { write }), reopen: () => {}, raw: write, failures: () => 0 };
  }
  let logger: Logger | null = null;
  const sink = new LogSink(opts.fd ?? (toStderr ? 2 : opts.errorLog), {
    label: '--error-log',
    dash: 'stderr',
    mode: opts.fileMode,
    // In a worker the fd is a pipe to the master; the master is the error log's only writer.
    onlyWriter: true,
    onRecovered: (lost, code) => logger?.warn({ lost, err: code }, `${lost} log record${lost === 1 ? '' : 's'} could not be written (${code}): writing again`),
  });
  // JSON escapes C0 itself; what it leaves (DEL, C1, bidi) is escaped too, for whoever cats the file.
  logger = pino({ level: opts.level, base: opts.base }, { write: (s: string) => sink.write(escapeJsonControls(s)) });
  return {
    logger,
    reopen: () => {
      try {
        sink.reopen();
      } catch (e) {
        logger!.error({ errorLog: opts.errorLog, err: (e as Error).message }, `${(e as Error).message}; still writing to the file open before`);
      }
    },
    raw: (line) => sink.write(`${escapeJsonControls(line)}\n`),
    failures: () => sink.failures,
  };
}
