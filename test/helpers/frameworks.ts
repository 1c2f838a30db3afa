/**
 * Real framework builds for the tests, made from the packages `npm ci` installed: each fixture
 * in test/fixtures/frameworks/NAME is copied to test-output/frameworks/NAME (git-ignored) and
 * built there with the framework's own command. A build is kept while its sources and the
 * framework's version are the same (a marker file holds both), so CI builds once per change.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE } from './cli.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'test/fixtures/frameworks');
const BUILDS = join(ROOT, 'test-output/frameworks');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const version = (pkg: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** Copies the fixture and runs `build` in the copy unless the same sources were built already; returns the copy. */
export function built(name: string, framework: string, build: (dir: string) => void): string {
  const source = join(SOURCES, name);
  const dir = join(BUILDS, name);
  const hash = createHash('sha256').update(version(framework));
  for (const f of files(source).sort()) hash.update(relative(source, f)).update(readFileSync(f));
  const key = hash.digest('hex');
  const marker = join(dir, '.statefork-built');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === key) return dir;
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, { recursive: true });
  build(dir);
  writeFileSync(marker, key);
  return dir;
}

/** Node 24, for frameworks whose engines ask for more than the Node the suite runs on. */
export const NODE_24 = join(ROOT, 'node_modules/node-24/bin/node');

const run = (dir: string, args: string[], node = NODE) =>
  execFileSync(node, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ASTRO_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
  });

/**
 * Next.js `output: 'standalone'`: `next build`, then public/ and .next/static copied next to the
 * standalone server.js, as Next's docs deploy it. Returns that server.js.
 */
export function nextStandalone(): string {
  const dir = built('next', 'next', (d) => {
    run(d, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build']);
    const app = join(d, '.next/standalone', relative(ROOT, d));
    cpSync(join(d, 'public'), join(app, 'public'), { recursive: true });
    cpSync(join(d, '.next/static'), join(app, '.next/static'), { recursive: true });
  });
  return join(dir, '.next/standalone', relative(ROOT, dir), 'server.js');
}

/** NestJS, compiled with tsc (its decorators need it: type stripping does not do them). Returns dist/main.js. */
export function nestCompiled(): string {
  const dir = built('nest', '@nestjs/core', (d) => run(d, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']));
  return join(dir, 'dist/main.js');
}

/** Astro with @astrojs/node in standalone mode (Astro 7 wants Node 22.23.4+). Returns dist/server/entry.mjs. */
export function astroStandalone(): string {
  const dir = built('astro', 'astro', (d) => run(d, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build'], NODE_24));
  return join(dir, 'dist/server/entry.mjs');
}

/** SvelteKit with adapter-node, built with `vite build`. Returns build/index.js (what `node build` runs). */
export function sveltekitNode(): string {
  const dir = built('sveltekit', '@sveltejs/kit', (d) => run(d, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build']));
  return join(dir, 'build/index.js');
}
