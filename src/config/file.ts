/**
 * The configuration file: statefork.config.{js,mjs,cjs,json} in the working directory, or the one
 * named by -c/--config. A JS file exports a plain object (default export or module.exports) with
 * the options in camelCase. It is read afresh on every HUP.
 */
import { fs } from '../node-builtins.js';
import { join, resolve } from 'node:path';
import { StateforkError } from '../errors.js';
import { importFresh } from '../fresh-module.js';

const { existsSync } = fs;

export const CONFIG_NAMES = ['statefork.config.js', 'statefork.config.mjs', 'statefork.config.cjs', 'statefork.config.json'];

/** The file to use: the one given, or the first of CONFIG_NAMES in `cwd`, or none. */
export function findConfigFile(given: string | undefined, cwd = process.cwd()): string | null {
  if (given) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new StateforkError('SF_CONFIG', `config file ${path} does not exist; check -c/--config`);
    return path;
  }
  for (const name of CONFIG_NAMES) if (existsSync(join(cwd, name))) return join(cwd, name);
  return null;
}

/** Loads the file fresh (never from a module cache: a HUP must see the edited file). */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = await importFresh(path);
  } catch (e) {
    throw new StateforkError('SF_CONFIG', `config file ${path} does not load: ${(e as Error).message.split('\n')[0]}; fix the file`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StateforkError('SF_CONFIG', `config file ${path} must export a plain object of options (e.g. export default { workers: 4 })`);
  }
  return value as Record<string, unknown>;
}
