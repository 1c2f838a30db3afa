/**
 * The pidfile: written atomically; refused when it names a live statefork master; a stale one
 * (its process gone, or its pid reused by another program) is replaced; removed only if ours.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { StatforkError } from '../errors.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a live process is a statefork master (its title); null when /proc cannot tell. */
function isMaster(pid: number): boolean | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('statefork: master');
  } catch {
    return null;
  }
}

/** Returns the pid of another program the old pidfile named (a reused pid), for the log. */
export function writePidfile(path: string, pid = process.pid): number | null {
  let existing: number | null = null;
  try {
    existing = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    // no pidfile yet
  }
  const reused = Boolean(existing && existing !== pid && isAlive(existing) && isMaster(existing!) === false);
  if (existing && existing !== pid && isAlive(existing) && !reused) {
    throw new StatforkError('SF_PIDFILE', `pidfile ${path} names running process ${existing}; stop it first or choose another --pid`);
  }
  const tmp = `${path}.${pid}.tmp`;
  try {
    writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    throw new StatforkError('SF_PIDFILE', `cannot write pidfile ${path}: ${(e as Error).message}; choose a writable --pid path`);
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
