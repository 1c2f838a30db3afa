/** Checks made before binding, so a bad environment fails fast with one clear line. */
import { closeHeartbeatFile, createHeartbeatFile } from '../adapters/heartbeat.js';
import { chownSync, closeSync, openSync } from 'node:fs';
import type { WorkerIdentity } from '../config/identity.js';
import { StatforkError } from '../errors.js';

/** Workers append to the access log: make sure they can, before any of them starts. */
export function checkAccessLog(target: string | null): void {
  if (!target || target === '-') return;
  try {
    closeSync(openSync(target, 'a'));
  } catch (e) {
    throw new StatforkError('SF_ERROR_LOG', `cannot open --access-log ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a writable file or - for stdout`);
  }
}

export function checkWorkerTmpDir(dir: string): void {
  try {
    closeHeartbeatFile(createHeartbeatFile(dir));
  } catch (e) {
    throw new StatforkError('SF_TMP_DIR', `cannot create heartbeat files in --worker-tmp-dir ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a writable directory (tmpfs such as /dev/shm is best)`);
  }
}

/**
 * --user/--group: the files a worker opens or uses itself (its log files, the unix sockets) are
 * handed to the workers' identity; the master, root, can still use them all.
 */
export function handOver(identity: WorkerIdentity | null, paths: string[]): void {
  if (!identity) return;
  for (const path of paths) {
    try {
      chownSync(path, identity.uid, identity.gid);
    } catch (e) {
      throw new StatforkError('SF_USAGE', `cannot give ${path} to --user ${identity.text}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path, or drop --user`);
    }
  }
}
