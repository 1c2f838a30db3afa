/** What the kernel knows about a process: CPU time and resident memory, from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds the process has used so far, every thread's (the event loop, libuv's pool, V8's
 * GC helpers). From the scheduler's own count (schedstat, nanoseconds) where the kernel keeps
 * it: the tick counts of /proc/<pid>/stat are sampled 100 times a second, and a process that
 * wakes for a moment on a busy CPU is charged a whole 10 ms tick when the sample lands on it.
 */
export function cpuSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    if (ns > 0) return ns / 1e9;
  } catch {
    // no schedstat: the tick counts below
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Measures a process's CPU use over `run`: seconds used, and as a share of one core. */
export async function cpuDuring<T>(pid: number | null, run: () => Promise<T>): Promise<{ result: T; cpuSeconds: number | null; cpuPercent: number | null }> {
  const before = pid ? cpuSeconds(pid) : 0;
  const started = performance.now();
  const result = await run();
  if (!pid) return { result, cpuSeconds: null, cpuPercent: null };
  const used = cpuSeconds(pid) - before;
  const wall = (performance.now() - started) / 1000;
  return { result, cpuSeconds: used, cpuPercent: (100 * used) / wall };
}
