/**
 * Where statefork's native parts are, built beside this module by `npm run build`
 * (./build.mjs): the reaper (./reaper.c, Node-API: one file for every Node line) and the
 * watchdog (./watchdog.cc, V8's API: one file per Node ABI, `process.versions.modules`). Each is
 * optional: without it, statefork says so and does without (./../master/process/orphan-reaper.ts,
 * ../worker/watchdog.ts).
 */
import { fs } from '../node-builtins.js';
import { createRequire } from 'node:module';
import { distPath } from '../dist-paths.js';

const { existsSync } = fs;

const here = (file: string) => distPath(`src/native/${file}`);

export const REAPER = here(`reaper-${process.platform}-${process.arch}.node`);
export const WATCHDOG = here(`watchdog-${process.platform}-${process.arch}-abi${process.versions.modules}.node`);

/** The addon at `path`, or the error that says why it did not load. */
// The caller names the addon's shape: T is what it promises, checked by its tests.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function loadAddon<T>(path: string): T | Error {
  try {
    return createRequire(import.meta.url)(path) as T;
  } catch (e) {
    return e as Error;
  }
}

export const hasAddon = (path: string): boolean => existsSync(path);
