/**
 * The heartbeat, after gunicorn's WorkerTmp: each worker gets an unlinked temp file whose mtime
 * it bumps from its event loop; the master only reads the stamp and reports it in a tick. The
 * machine notices when a stamp stops changing, timed by the master's own monotonic clock, so the
 * two processes' clocks never need to agree. The master's periodic check that reads the
 * stamps is ./ticks.ts (this module is also the worker's, which has no use for it).
 */
import { fs, randomHex } from '../node-builtins.js';
import { join } from 'node:path';

const { closeSync, fstatSync, futimesSync, openSync, unlinkSync } = fs;

/** Master side: a file nobody else can open, kept only as an fd handed to one worker. */
export function createHeartbeatFile(dir: string): number {
  const path = join(dir, `statefork-${process.pid}-${randomHex(6)}`);
  const fd = openSync(path, 'wx+', 0o600);
  unlinkSync(path);
  return fd;
}

export function readBeat(fd: number): number | undefined {
  try {
    return fstatSync(fd).mtimeMs;
  } catch {
    return undefined;
  }
}

export function closeHeartbeatFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** Worker side: one bump. Each call stamps a new time, which is all the master looks for. */
export function touch(fd: number): void {
  const t = Date.now() / 1000;
  futimesSync(fd, t, t);
}
