/** What depends on the host: the default worker count, where heartbeat files live, --chdir. */
import { fs, os } from '../node-builtins.js';
import { resolve } from 'node:path';
import { usage } from './checks.js';

const { accessSync, constants, statSync } = fs;
const { availableParallelism, tmpdir } = os();

/** The worker count when none is given: WEB_CONCURRENCY (Heroku's convention), else one per CPU. */
export function defaultWorkers(env: NodeJS.ProcessEnv): number {
  if (env.WEB_CONCURRENCY === undefined || env.WEB_CONCURRENCY === '') return availableParallelism();
  const n = Number(env.WEB_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1) usage(`invalid WEB_CONCURRENCY '${env.WEB_CONCURRENCY}': expected a whole number of 1 or more, or unset it`);
  return n;
}

/** /dev/shm is tmpfs: heartbeat writes never wait on a disk (gunicorn's FAQ learned this the hard way). */
export function defaultWorkerTmpDir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // not usable: fall back below
  }
  return tmpdir();
}

/** --chdir: moves the process (the workers inherit it); returns the absolute directory. */
export function changeDirectory(dir: string): string {
  const path = resolve(dir);
  try {
    if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    process.chdir(path);
  } catch (e) {
    usage(`invalid --chdir '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give an existing directory`);
  }
  return path;
}
