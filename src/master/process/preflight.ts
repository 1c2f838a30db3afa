/** Checks made before binding, so a bad environment fails fast with one clear line. */
import { closeHeartbeatFile, createHeartbeatFile } from '../../adapters/heartbeat.js';
import { fs } from '../../node-builtins.js';
import type { WorkerIdentity } from '../../config/identity.js';
import { StateforkError } from '../../errors.js';
import { giveFd, giveSocketFile, openForWriting } from '../../files.js';

const { closeSync } = fs;

/**
 * Workers append to the access log: it is created (or found) here, as a regular file reached
 * without following a link, and given to --user through the open fd, so that the workers can
 * open it themselves. Run at start and again on USR1 (logrotate may have moved it away).
 */
export function prepareAccessLog(target: string | null, owner: WorkerIdentity | null, mode: number): void {
  if (!target || target === '-') return;
  const fd = openForWriting(target, '--access-log', { dash: 'stdout', mode });
  try {
    giveFd(fd, owner);
  } catch (e) {
    throw new StateforkError(
      'SF_ERROR_LOG',
      `cannot give --access-log ${target} to --user ${owner!.text}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the file, or drop --user`,
    );
  } finally {
    closeSync(fd);
  }
}

export function checkWorkerTmpDir(dir: string): void {
  try {
    closeHeartbeatFile(createHeartbeatFile(dir));
  } catch (e) {
    throw new StateforkError(
      'SF_TMP_DIR',
      `cannot create heartbeat files in --worker-tmp-dir ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a writable directory (tmpfs such as /dev/shm is best)`,
    );
  }
}

/**
 * --user/--group: the unix sockets the master just bound are given to the workers' identity
 * (they listen on them); never by a path that may have become a link. The master's own error
 * log is never handed over: workers send their records to the master, which writes them.
 */
export function giveSocketsTo(identity: WorkerIdentity | null, paths: string[]): void {
  if (!identity) return;
  for (const path of paths) {
    try {
      giveSocketFile(path, identity);
    } catch (e) {
      throw new StateforkError(
        'SF_BIND_FAILED',
        `cannot give the socket ${path} to --user ${identity.text}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path, or drop --user`,
      );
    }
  }
}
