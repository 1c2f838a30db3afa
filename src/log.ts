/**
 * The master's logger: pino JSON records (one line each, so a log is a replayable history), or
 * pino-pretty when the error log is a terminal. Writes are synchronous (a record logged right
 * before process.exit() is never lost, and there is no logging thread) and go through a LogSink
 * (src/log-setup.ts). Workers write the same records without pino (src/record-log.ts).
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import { sinkLogging, toTerminal, type LogSetup as AnyLogSetup, type LoggerOptions } from './log-setup.js';
import { escapeControls } from '../machines/untrusted-text.js';

/**
 * A record for pino-pretty, which prints strings as they are onto a terminal: every string in it
 * (a worker's message, a hang stack's function name) with its control characters escaped.
 */
function forTerminal(line: string): string {
  const clean = (v: unknown): unknown =>
    typeof v === 'string'
      ? escapeControls(v)
      : Array.isArray(v)
        ? v.map(clean)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [escapeControls(k), clean(x)]))
          : v;
  try {
    return `${JSON.stringify(clean(JSON.parse(line)))}\n`;
  } catch {
    return `${escapeControls(line.trimEnd())}\n`;
  }
}

/** pino-pretty only for a terminal: loaded then, not in every worker (whose stderr is a pipe). */
const prettyStream = (options: Record<string, unknown>) =>
  (createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream)(options);

export type { Logger };
export type { LoggerOptions };
/** The master's log setup: its logger is pino's. */
export type LogSetup = AnyLogSetup<Logger>;

/** The master's logger (and a worker's on a terminal): pino, pretty on a terminal. */
export function createLogger(opts: LoggerOptions): LogSetup {
  if (toTerminal(opts)) {
    const stream = prettyStream({ sync: true, destination: 2, ignore: 'hostname', translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
    const write = (line: string) => stream.write(forTerminal(line));
    return { logger: pino({ level: opts.level, base: opts.base }, { write }), reopen: () => {}, raw: write, failures: () => 0 };
  }
  return sinkLogging(opts, (write) => pino({ level: opts.level, base: opts.base }, { write }));
}
