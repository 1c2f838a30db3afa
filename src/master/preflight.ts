/** Checks made before binding, so a bad environment fails fast with one clear line. */
import { closeHeartbeatFile, createHeartbeatFile } from '../adapters/heartbeat.js';
import { closeSync, openSync } from 'node:fs';
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
