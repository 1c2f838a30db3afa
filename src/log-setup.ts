/**
 * Where a process's log records go, whichever logger writes them: the error log (a file or
 * stderr) or, in a worker, the pipe to its master. Records pass through a LogSink, so a full disk
 * or a closed stderr is counted, never thrown, and with what JSON leaves unescaped (DEL, C1,
 * bidi) escaped, for whoever cats the file. Free of pino: the worker loads this.
 */
import { LogSink } from './log-sink.js';
import { escapeJsonControls } from '../machines/untrusted-text.js';
import type { LogLevelName } from '../machines/worker-settings.js';
import type { Logger } from './record-log.js';

export interface LogSetup<L extends Logger = Logger> {
  logger: L;
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

/** Whether records go to a terminal, for people (pino-pretty) rather than to a file or a pipe. */
export const toTerminal = (opts: LoggerOptions): boolean => opts.fd === undefined && opts.errorLog === '-' && process.stderr.isTTY === true;

/** The setup around the logger `make` builds on a writer of JSON lines. */
export function sinkLogging<L extends Logger>(opts: LoggerOptions, make: (write: (line: string) => void) => L): LogSetup<L> {
  let logger: L | null = null;
  const sink = new LogSink(opts.fd ?? (opts.errorLog === '-' ? 2 : opts.errorLog), {
    label: '--error-log',
    dash: 'stderr',
    mode: opts.fileMode,
    // In a worker the fd is a pipe to the master; the master is the error log's only writer.
    onlyWriter: true,
    onRecovered: (lost, code) => logger?.warn({ lost, err: code }, `${lost} log record${lost === 1 ? '' : 's'} could not be written (${code}): writing again`),
  });
  logger = make((line) => sink.write(escapeJsonControls(line)));
  return {
    logger,
    reopen: () => {
      try {
        sink.reopen();
      } catch (e) {
        logger.error({ errorLog: opts.errorLog, err: (e as Error).message }, `${(e as Error).message}; still writing to the file open before`);
      }
    },
    raw: (line) => sink.write(`${escapeJsonControls(line)}\n`),
    failures: () => sink.failures,
  };
}
