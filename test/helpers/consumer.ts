/**
 * A fresh project that installs the packed statefork the way a user's does, offline: its lockfile
 * is made from this repository's (the same versions `npm ci` put in npm's cache), so `npm ci
 * --offline` installs exactly what `npm install statefork` would, with no registry.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  [k: string]: unknown;
}

/** Where `name` resolves from `from` (a lockfile path), as Node looks it up: nearest node_modules first. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  for (let at = from; ; at = at.slice(0, Math.max(0, at.lastIndexOf('/node_modules/')))) {
    const path = at ? `${at}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[path]) return path;
    if (!at) return null;
  }
}

/** Makes `dir` a project that depends on the tarball `tgz`, with a lockfile of statefork's runtime dependencies. */
export function consumerProject(dir: string, tgz: string, repoLock: string): void {
  const lock = JSON.parse(readFileSync(repoLock, 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tgz, 'package/package.json'], { encoding: 'utf8' }));
  const spec = `file:${tgz}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', dependencies: { statefork: spec } },
    'node_modules/statefork': {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  // Every package statefork's dependencies need, at the path it has in this repository's tree.
  const todo: Array<[string, string]> = Object.keys(manifest.dependencies).map((name) => ['', name]);
  while (todo.length) {
    const [from, name] = todo.pop()!;
    const path = resolveIn(lock.packages, from, name);
    if (!path) throw new Error(`${name} (needed from ${from || 'statefork'}) is not in ${repoLock}`);
    if (packages[path]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path];
    packages[path] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) todo.push([path, dep]);
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, dependencies: { statefork: spec } }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}
