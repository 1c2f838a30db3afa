// What each import costs a process: `node --expose-gc test/bench/imports.mjs` (after npm run build).
// Every set of modules is imported in a fresh process, after node:http and the benchmark app, a
// CommonJS file (what any server has: the first CommonJS import pays for the loader itself);
// it prints that process's RSS and private memory (what one more such process really costs:
// RSS also counts the Node binary's pages, which every process shares) after a GC, and how long
// the imports took. Each set runs three times; the figures are the medians.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const SETS = [
  ['node:http and the app (every server)', []],
  ['+ xstate', ['xstate']],
  ['+ pino', ['pino']],
  ['+ RxJS Observable alone (the worker\'s)', ['rxjs/internal/Observable']],
  ['+ RxJS operators merge, fromEvent, map (the worker\'s before)', ['rxjs/internal/observable/merge', 'rxjs/internal/observable/fromEvent', 'rxjs/internal/operators/map']],
  ['+ the RxJS entry point', ['rxjs']],
  ['+ commander', ['commander']],
  ['the worker\'s logger', [`${dist}src/worker/logging.js`]],
  ['the worker\'s runtime', [`${dist}src/worker/runtime.js`]],
  ['the worker: its runtime and logger', [`${dist}src/worker/runtime.js`, `${dist}src/worker/logging.js`]],
  ['the master: its runtime and configuration', [`${dist}src/master/runtime.js`, `${dist}src/config/load.js`]],
];

if (process.argv[2] === '--child') {
  const t0 = performance.now();
  // node:http through require, as a CommonJS app loads it (an ESM import of it also loads
  // undici's WebSocket on Node 24: 13 MiB that no CommonJS server pays).
  createRequire(import.meta.url)('node:http');
  await import(fileURLToPath(new URL('apps/hello.cjs', import.meta.url)));
  const t1 = performance.now();
  for (const m of process.argv.slice(3)) await import(m);
  const ms = performance.now() - t1;
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc();
  const roll = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(roll)[1]) / 1024;
  process.stdout.write(JSON.stringify({ rss: kb('Rss'), private: kb('Private_Dirty'), ms, httpMs: t1 - t0 }));
} else {
  const median = (xs) => [...xs].sort((a, b) => a - b)[1];
  const rows = [];
  for (const [name, mods] of SETS) {
    const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', ...mods], { encoding: 'utf8' })));
    rows.push({ name, rss: median(runs.map((r) => r.rss)), private: median(runs.map((r) => r.private)), ms: median(runs.map((r) => r.ms)) });
  }
  const base = rows[0];
  console.log('| imported | RSS | private | import time |\n|---|---|---|---|');
  for (const r of rows) {
    const delta = r === base ? '' : ` (+${(r.rss - base.rss).toFixed(1)})`;
    const pdelta = r === base ? '' : ` (+${(r.private - base.private).toFixed(1)})`;
    console.log(`| ${r.name} | ${r.rss.toFixed(1)} MiB${delta} | ${r.private.toFixed(1)} MiB${pdelta} | ${r === base ? '–' : `${Math.round(r.ms)} ms`} |`);
  }
}
