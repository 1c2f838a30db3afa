/**
 * Other processes, as /proc and kill(2) tell: whether one runs, and whether it is a statefork
 * master. The pidfile and the control socket's discovery both ask; neither decides here.
 */
import { fs } from '../node-builtins.js';

const { readFileSync } = fs;

/** Whether a process runs (one of another user's counts: EPERM). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a live process is a statefork master (its title); null when /proc cannot tell. */
export function isMaster(pid: number): boolean | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('statefork: master');
  } catch {
    return null;
  }
}
