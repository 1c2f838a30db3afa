/**
 * A process's resident memory as the kernel counts it (/proc/PID/status, VmRSS): what the master
 * reads itself rather than take a worker's word for it (the adaptive ceiling, statefork workers).
 */
import { fs } from '../node-builtins.js';

const { readFileSync } = fs;

/** Bytes, or null when it cannot be read (the process is gone, no /proc). */
export function residentBytes(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
