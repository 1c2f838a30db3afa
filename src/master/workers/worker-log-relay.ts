/**
 * What workers print, relayed by the master into its error log, bounded: a worker's log records
 * (from its log pipe, when the error log is a file only the master opens) and, with
 * --capture-output, its stdout and stderr. The app controls both, so a line is cut off at
 * MAX_LINE, a worker's lines are rate-limited (./worker-log-gate.ts), and a record cannot claim
 * to be the master's: its role, pid and worker id are the master's knowledge, written over
 * whatever the line said.
 */
import type { Readable } from 'node:stream';
import { splitLines } from '../../adapters/lines.js';
import type { LogGate } from './worker-log-gate.js';

export const MAX_LINE = 64 * 1024;

/** One JSON line for the error log from one line a worker wrote. */
export function workerRecord(line: string, id: number, pid: number | undefined): string {
  const fallback = () => JSON.stringify({ level: 30, time: Date.now(), role: 'worker', pid, worker: id, msg: line });
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return fallback();
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return fallback();
  try {
    return JSON.stringify({ ...rec, role: 'worker', pid, worker: id });
  } catch {
    return fallback(); // nested too deep to write back: kept as text
  }
}

/** Relays each line of `stream` through `onLine`, as `gate` admits them; a line over MAX_LINE becomes `onOverlong`. */
export function relayLines(stream: Readable, gate: LogGate, onLine: (line: string) => void, onOverlong: (bytes: number) => void): void {
  const lines = splitLines(
    MAX_LINE,
    (line) => {
      if (gate.admit(line.length + 1)) onLine(line);
    },
    (bytes) => {
      if (gate.admit(MAX_LINE)) onOverlong(bytes);
    },
  );
  gate.attach(stream);
  stream.on('data', (chunk: Buffer) => {
    lines.push(chunk);
    gate.read(stream);
  });
  stream.on('error', () => {});
}

/** A worker's log pipe: each record written to the error log as the worker's. */
export function relayWorkerLog(stream: Readable, gate: LogGate, id: number, pid: number | undefined, raw: (line: string) => void): void {
  relayLines(
    stream,
    gate,
    (line) => raw(workerRecord(line, id, pid)),
    (bytes) => {
      raw(JSON.stringify({ level: 40, time: Date.now(), role: 'worker', pid, worker: id, msg: `a log record over ${MAX_LINE} bytes (${bytes}): dropped` }));
    },
  );
}

/** The record a gate writes once a second was over --worker-log-rate. */
export function droppedRecord(records: number, bytes: number, id: number, pid: number | undefined, rate: { records: number; bytes: number }): string {
  return JSON.stringify({
    level: 40,
    time: Date.now(),
    role: 'master',
    pid: process.pid,
    worker: id,
    workerPid: pid,
    event: 'log-dropped',
    dropped: records,
    droppedBytes: bytes,
    msg: `${records} log record${records === 1 ? '' : 's'} (${bytes} bytes) of worker ${id} dropped: over --worker-log-rate ${rate.records}:${rate.bytes} a second`,
  });
}
