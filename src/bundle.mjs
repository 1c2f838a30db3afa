// Bundles the two processes' entry points in place, after tsc, with esbuild: dist/src/cli.js (the
// master and the CLI) and dist/src/worker/main.js (a worker), code shared or loaded later split
// into dist/src/chunks/. One file a process instead of 120 modules, each resolved, read and
// compiled on its own: measured on Node 24, the master 11 MiB smaller and faster to start. What
// an app or a test imports (index.js, worker/api.js, machines/, each module) stays tsc's output.
// pino and pino-pretty stay packages (pino finds its own files at run time); the optional peers
// (the Stately inspector, prom-client, ws, @hono/node-server, Viz.js) are loaded only when asked.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// The entries are tsc's output, just written: a bundle is never bundled again over its own chunks.
for (const entry of ['src/cli.js', 'src/worker/main.js']) {
  if (readFileSync(join(dist, entry), 'utf8').includes('__statefork_require')) {
    console.error(`dist/${entry} is a bundle already: run npm run build (tsc first, then this)`);
    process.exit(1);
  }
}
rmSync(join(dist, 'src', 'chunks'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { 'src/cli': 'dist/src/cli.js', 'src/worker/main': 'dist/src/worker/main.js' },
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'src/chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  external: ['pino', 'pino-pretty', '@statelyai/inspect', 'prom-client', 'ws', '@hono/node-server', '@viz-js/viz', '*.node'],
  // The bundled CommonJS packages (commander) call require: give the ESM bundle one.
  banner: { js: "import { createRequire as __statefork_require } from 'node:module'; const require = __statefork_require(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
});
console.log('bundled dist/src/cli.js and dist/src/worker/main.js');
