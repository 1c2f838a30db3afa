/**
 * The pidfile: written atomically (a new file, then a rename); refused when it names a live statefork master; a stale one
 * (its process gone, or its pid reused by another program) is replaced; removed only if ours.
 */
import { fs } from '../../node-builtins.js';
import { StateforkError } from '../../errors.js';
import { writeAtomically } from '../../files.js';
import { isAlive, isMaster } from '../../adapters/processes.js';

const { readFileSync, renameSync, unlinkSync } = fs;

/** Returns the pid of another program the old pidfile named (a reused pid), for the log. */
export function writePidfile(path: string, pid = process.pid): number | null {
  let existing: number | null = null;
  try {
    existing = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    // no pidfile yet
  }
  const reused = Boolean(existing && existing !== pid && isAlive(existing) && isMaster(existing) === false);
  if (existing && existing !== pid && isAlive(existing) && !reused) {
    throw new StateforkError('SF_PIDFILE', `pidfile ${path} names running process ${existing}; stop it first or choose another --pid`);
  }
  try {
    // A new file under a random name (O_EXCL), then a rename: a link planted at a predictable
    // temporary name would otherwise have root write through it.
    writeAtomically(path, `${pid}\n`);
  } catch (e) {
    throw new StateforkError('SF_PIDFILE', `cannot write pidfile ${path}: ${(e as Error).message}; choose a writable --pid path`);
  }
  return reused ? existing : null;
}

export function removePidfile(path: string, pid = process.pid): void {
  try {
    if (Number.parseInt(readFileSync(path, 'utf8'), 10) === pid) unlinkSync(path);
  } catch {
    // gone already, or not ours
  }
}

/**
 * This master's pidfile, the one written at start and removed at the end whatever a reload says:
 * <path>.2 while this is a hot upgrade's new master, <path> once it is promoted.
 */
export class MasterPidfile {
  private current: string | null;

  constructor(
    private readonly path: string | null,
    newMaster: boolean,
  ) {
    this.current = path && newMaster ? `${path}.2` : path;
  }

  get name(): string | null {
    return this.current;
  }

  /** Writes it; returns the pid of another program a stale file named (see writePidfile). */
  write(): number | null {
    return this.current ? writePidfile(this.current) : null;
  }

  /** Promoted: <path>.2 becomes <path>. Returns the new name, or null when there was nothing to do. */
  claim(): string | null {
    if (!this.path || !this.current || this.current === this.path) return null;
    renameSync(this.current, this.path);
    this.current = this.path;
    return this.path;
  }

  remove(): void {
    if (this.current) removePidfile(this.current);
  }
}
