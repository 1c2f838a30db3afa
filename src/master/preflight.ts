/** Checks made before binding, so a bad environment fails fast with one clear line. */
import { closeHeartbeatFile, createHeartbeatFile } from '../adapters/heartbeat.js';
import { StatforkError } from '../errors.js';

export function checkWorkerTmpDir(dir: string): void {
  try {
    closeHeartbeatFile(createHeartbeatFile(dir));
  } catch (e) {
    throw new StatforkError('SF_TMP_DIR', `cannot create heartbeat files in --worker-tmp-dir ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a writable directory (tmpfs such as /dev/shm is best)`);
  }
}
