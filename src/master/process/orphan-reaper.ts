/**
 * Orphans, when the master is PID 1 (the first process of a container without --init) or a child
 * subreaper: the kernel hands the master every process whose parent died (a background job an
 * app's request started, a daemon that double-forked), and a process nobody waits for stays a
 * zombie. libuv waits only for the pids it spawned, so the master collects the others itself:
 * on each SIGCHLD, every child of this process that is not one of libuv's is waited for with
 * WNOHANG, one pid at a time (the native reaper, src/native/reaper.c). Never waitpid(-1): that
 * could take a worker's exit status from libuv, and the master would never learn how it ended.
 *
 * libuv's children are known exactly: every ChildProcess is announced on the `child_process`
 * diagnostics channel when it is made, and a pid leaves the set only on its 'exit' (after libuv
 * has waited for it). Both run on this thread, as does the sweep, so the set never lags.
 *
 * Where the native reaper does not load (no build for this platform), a PID 1 master says so
 * once at start, with the way out (an init: docker run --init, tini).
 */
import type { ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { fs } from '../../node-builtins.js';
import { loadAddon, REAPER } from '../../native/addons.js';
import type { Logger } from '../../log.js';

const { readdirSync, readFileSync } = fs;

interface NativeReaper {
  reap(pid: number): number | null;
  isSubreaper(): boolean;
}

export interface OrphanReaper {
  /** Orphans waited for since the start (the metrics). */
  readonly reaped: number;
  stop(): void;
}

/** This process's children as the kernel lists them; /proc/<pid>/stat parents where it has no children files. */
function childPids(): number[] {
  try {
    return readdirSync('/proc/self/task').flatMap((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((pid) => {
        try {
          // The parent's pid follows the state, after the command name (which may hold spaces and parentheses).
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
        } catch {
          return false;
        }
      });
  }
}

/** Starts reaping when this process adopts orphans; null when it does not (its parent reaps them). */
export function startOrphanReaper(log: Logger): OrphanReaper | null {
  if (process.platform !== 'linux') return null;
  const native = loadAddon<NativeReaper>(REAPER);
  const adopts = process.pid === 1 || (!(native instanceof Error) && native.isSubreaper());
  if (!adopts) return null;
  if (native instanceof Error) {
    log.warn(
      { pid1: true, err: native.message.split('\n')[0] },
      'statefork runs as PID 1 but its reaper is not built for this platform: orphaned processes will stay zombies; run it under an init (docker run --init, or tini as the entrypoint)',
    );
    return null;
  }
  const libuvs = new Set<ChildProcess>();
  const announced = (message: unknown) => {
    const child = (message as { process: ChildProcess }).process;
    libuvs.add(child);
    child.once('exit', () => libuvs.delete(child));
  };
  subscribe('child_process', announced);
  let reaped = 0;
  let queued = false;
  const sweep = () => {
    queued = false;
    const ours = new Set([...libuvs].map((c) => c.pid));
    for (const pid of childPids()) {
      if (ours.has(pid)) continue;
      const status = native.reap(pid);
      if (status === null) continue;
      reaped++;
      log.debug({ event: 'orphan-reaped', orphanPid: pid, status }, `reaped orphan ${pid}`);
    }
  };
  // SIGCHLD after an exit: one sweep per turn of the loop however many came together.
  const onChild = () => {
    if (queued) return;
    queued = true;
    setImmediate(sweep);
  };
  process.on('SIGCHLD', onChild);
  log.info({ reaper: true, pid1: process.pid === 1 }, `${process.pid === 1 ? 'running as PID 1' : 'a child subreaper'}: orphaned processes are reaped`);
  return {
    get reaped() {
      return reaped;
    },
    stop: () => {
      process.off('SIGCHLD', onChild);
      unsubscribe('child_process', announced);
    },
  };
}
