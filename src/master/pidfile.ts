/** The pidfile: written atomically, refused when it names a live process, removed only if ours. */
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

export function writePidfile(path: string, pid = process.pid): void {
  let existing: number | null = null;
  try {
    existing = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    // no pidfile yet
  }
  if (existing && existing !== pid && isAlive(existing)) {
    throw new StatforkError('SF_PIDFILE', `pidfile ${path} names running process ${existing}; stop it first or choose another --pid`);
  }
  const tmp = `${path}.${pid}.tmp`;
  try {
    writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    throw new StatforkError('SF_PIDFILE', `cannot write pidfile ${path}: ${(e as Error).message}; choose a writable --pid path`);
  }
}

export function removePidfile(path: string, pid = process.pid): void {
  try {
    if (Number.parseInt(readFileSync(path, 'utf8'), 10) === pid) unlinkSync(path);
  } catch {
    // gone already, or not ours
  }
}
