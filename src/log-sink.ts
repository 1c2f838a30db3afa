/**
 * Where log lines go (the error log, the access log, the recording), written so that a write
 * never throws: a full disk, a broken pipe or a file gone must not take a server down. A line
 * that cannot be written is counted and dropped; when writing works again, `onRecovered` learns
 * how many were lost (the logger logs one warning). A reopen (USR1, after logrotate) opens the
 * path again the safe way and keeps the old fd when that fails.
 */
import { fs } from './node-builtins.js';
import { openForWriting, giveFd, type Owner } from './files.js';

const { closeSync, fstatSync, ftruncateSync, writeSync } = fs;

/** EAGAIN on a non-blocking pipe (stderr): retry for this long, then drop the line. */
const EAGAIN_BUDGET_MS = 100;
const pause = new Int32Array(new SharedArrayBuffer(4));

export interface SinkOptions {
  /** The option that named the file, for messages: --error-log, --access-log. */
  label: string;
  /** What `-` would have meant instead (stderr, stdout), for the hint in an error. */
  dash?: string;
  /** Whose file it is once (re)opened (--user for the access log); null: leave it as created. */
  owner?: Owner | null;
  /**
   * This process is the file's only writer (the error log, the recording): a line cut short by a
   * full disk is cut off again, so the file holds whole lines only. With several writers (the
   * access log) the cut line is ended instead, and the next line starts on its own.
   */
  onlyWriter?: boolean;
  /** The mode of a file it creates (--log-file-mode); absent: LOG_FILE_MODE. */
  mode?: number;
  /** Empty the file when it is first opened (--record starts a new recording). */
  truncate?: boolean;
  /** Writing works again after `lost` lines could not be written (the last error's code). */
  onRecovered?: (lost: number, code: string) => void;
}

export class LogSink {
  /** Lines that could not be written, since the start. */
  failures = 0;
  private fd: number;
  private lost = 0;
  private lastError = '';
  /** A line was cut short by the error: the next write first ends it. */
  private torn = false;

  /** `target`: a path, or a file descriptor that is not ours to open or close (stderr, a pipe). */
  constructor(
    private readonly target: string | number,
    private readonly options: SinkOptions,
  ) {
    this.fd = typeof target === 'number' ? target : this.open(target, options.truncate === true);
  }

  private open(path: string, truncate = false): number {
    const fd = openForWriting(path, this.options.label, {
      dash: this.options.dash ?? null,
      truncate,
      ...(this.options.mode === undefined ? {} : { mode: this.options.mode }),
    });
    try {
      giveFd(fd, this.options.owner ?? null);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return fd;
  }

  /** Writes one line (with its newline); never throws. */
  write(line: string): void {
    if (this.torn && !this.put('\n')) return this.fail();
    this.torn = false;
    if (!this.put(line)) return this.fail();
    if (this.lost) {
      const [lost, code] = [this.lost, this.lastError];
      this.lost = 0;
      this.options.onRecovered?.(lost, code);
    }
  }

  private fail(): void {
    this.failures++;
    this.lost++;
  }

  /** The whole string, or false (and the error kept) once a write fails. */
  private put(text: string): boolean {
    const buf = Buffer.from(text);
    let off = 0;
    let waited = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
        if (code === 'EAGAIN' && waited < EAGAIN_BUDGET_MS) {
          Atomics.wait(pause, 0, 0, 1);
          waited++;
          continue;
        }
        this.lastError = code;
        this.torn = off > 0 && !this.untear(off);
        return false;
      }
    }
    return true;
  }

  /** Removes the `written` bytes of a line cut short; false when it cannot (or must not). */
  private untear(written: number): boolean {
    if (!this.options.onlyWriter || typeof this.target === 'number') return false;
    try {
      ftruncateSync(this.fd, fstatSync(this.fd).size - written);
      return true;
    } catch {
      return false;
    }
  }

  /** Opens the path again (it was moved away); on failure the old file is kept and the error thrown. */
  reopen(): void {
    if (typeof this.target === 'number') return;
    const fd = this.open(this.target);
    const old = this.fd;
    this.fd = fd;
    this.torn = false;
    try {
      closeSync(old);
    } catch {
      /* closed already */
    }
  }

  close(): void {
    if (typeof this.target === 'number') return;
    try {
      closeSync(this.fd);
    } catch {
      /* closed already */
    }
  }
}
