/**
 * A worker's log: records in pino's shape written without pino (src/record-log.ts) to the pipe
 * to its master or to the error log; pino-pretty only when the worker writes to a terminal
 * itself (`--error-log -` in a developer's shell), loaded then and only then.
 */
import { sinkLogging, toTerminal, type LogSetup, type LoggerOptions } from '../log-setup.js';
import { createRecordLogger } from '../record-log.js';

export async function workerLogging(opts: LoggerOptions): Promise<LogSetup> {
  if (toTerminal(opts)) return (await import('../log.js')).createLogger(opts);
  return sinkLogging(opts, (write) => createRecordLogger({ level: opts.level, base: opts.base, write }));
}
