/**
 * A worker's share of the master's error log (--worker-log-rate): at most `records` records and
 * `bytes` bytes a second from each worker, across its log pipe and, with --capture-output, its
 * stdout and stderr. A worker that writes more has the rest of that second's lines dropped and
 * counted, and its pipes are not read again until the second is over: its writes then wait on
 * their own full pipe, so a flood costs the master the records it let through and no more. Once
 * the second is over, one record says how many were dropped.
 *
 * The second starts with the worker's first record after a quiet one: no timer runs for a
 * worker that is not writing.
 */
import type { Readable } from 'node:stream';

import type { LogRate } from '../../config/process-options.js';

/** What all gates dropped, for the metrics. */
export interface LogDrops {
  records: number;
  bytes: number;
}

export const WINDOW_MS = 1000;

export class LogGate {
  private readonly streams = new Set<Readable>();
  private used = { records: 0, bytes: 0 };
  private dropped = { records: 0, bytes: 0 };
  private window: NodeJS.Timeout | null = null;

  /** `rate` null: no limit. `report`: once a second was over its rate, with what it dropped. */
  constructor(
    private readonly rate: LogRate | null,
    private readonly totals: LogDrops,
    private readonly report: (records: number, bytes: number) => void,
  ) {}

  /** A line of `bytes` bytes from the worker: whether it may be written. */
  admit(bytes: number): boolean {
    if (!this.rate) return true;
    this.window ??= setTimeout(() => this.close(), WINDOW_MS).unref();
    if (this.dropped.records === 0 && this.used.records < this.rate.records && this.used.bytes + bytes <= this.rate.bytes) {
      this.used.records++;
      this.used.bytes += bytes;
      return true;
    }
    this.dropped.records++;
    this.dropped.bytes += bytes;
    this.totals.records++;
    this.totals.bytes += bytes;
    return false;
  }

  /** A stream of the worker's that this gate pauses and resumes. */
  attach(stream: Readable): void {
    this.streams.add(stream);
  }

  /** After a chunk of `stream` was read: over the rate, the stream waits for the next second. */
  read(stream: Readable): void {
    if (this.dropped.records > 0) stream.pause();
  }

  private close(): void {
    this.window = null;
    const { records, bytes } = this.dropped;
    this.used = { records: 0, bytes: 0 };
    this.dropped = { records: 0, bytes: 0 };
    if (records > 0) this.report(records, bytes);
    for (const s of this.streams) if (!s.destroyed) s.resume();
  }

  /** The worker is gone: what it dropped last is still said. */
  end(): void {
    if (!this.window) return;
    clearTimeout(this.window);
    this.close();
    this.streams.clear();
  }
}
