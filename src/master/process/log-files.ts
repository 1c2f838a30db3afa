/**
 * The files the master writes besides its sockets and pidfile: the error log (its own), the
 * access log (made for the workers, which write it) and the recording (--record). Each is
 * opened without following a link, and a write that fails (a full disk) is counted, not thrown.
 */
import type { Config } from '../../config/options.js';
import { LogSink } from '../../log-sink.js';
import type { LogSetup } from '../../log.js';
import type { InspectorHub } from '../../inspector/hub.js';
import { prepareAccessLog } from './preflight.js';

/** USR1: the master's error log, then the access log made again for the workers' user. Never throws. */
export function reopenLogFiles(logging: LogSetup, config: Config): void {
  logging.reopen();
  try {
    prepareAccessLog(config.accessLog, config.workerIdentity, config.logFileMode);
  } catch (e) {
    logging.logger.error({ accessLog: config.accessLog, err: (e as Error).message }, `${(e as Error).message}; the workers keep the file open before`);
  }
}

/** --record: opened (afresh) before anything binds, so a bad path stops the start at once. */
export function openRecording(file: string | null, logging: LogSetup, mode: number): LogSink | null {
  if (!file) return null;
  return new LogSink(file, {
    label: '--record',
    truncate: true,
    onlyWriter: true,
    mode,
    onRecovered: (lost, code) =>
      logging.logger.warn({ record: file, lost, err: code }, `${lost} step${lost === 1 ? '' : 's'} could not be written to --record (${code}): writing again`),
  });
}

/** Every step the inspector sees, one JSON line each. */
export function record(recording: LogSink | null, hub: InspectorHub | null): void {
  if (recording && hub) hub.subscribe((step) => recording.write(`${JSON.stringify(step)}\n`));
}
