/** Defaults that depend on the host: the worker count and where heartbeat files live. */
import { accessSync, constants, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { usage } from './options.js';

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
