/**
 * Loads a JS or JSON file afresh, never from a module cache: a HUP must see the edited
 * configuration file, and each new worker the hooks as they are on disk now. Alone in a module:
 * the master's configuration and a worker's hooks both read the file, and a worker must not
 * load the configuration graph to do it.
 */
import { fs } from './node-builtins.js';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

const { readFileSync } = fs;

let loads = 0;

/** The file's value: a JSON document, module.exports, or an ES module's default export (else the module). Throws as loading does. */
export async function importFresh(path: string): Promise<unknown> {
  if (extname(path) === '.json') return JSON.parse(readFileSync(path, 'utf8'));
  if (extname(path) === '.cjs') {
    const require = createRequire(path);
    delete require.cache[path];
    return require(path);
  }
  // A query string makes a new module instance: ES modules cannot be evicted from the cache.
  const mod = (await import(`${pathToFileURL(path).href}?load=${++loads}`)) as { default?: unknown };
  return mod.default ?? mod;
}
