/**
 * What a worker loads at start: every reload starts a generation of workers, so the modules
 * they load are paid for again and again. The 'rxjs' entry point (all of RxJS) and pino-pretty
 * (only for a terminal) stay out; the worker gets its few RxJS pieces one module each.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/src/', import.meta.url));

function loadedBy(modules: string[]): string[] {
  const script = `
    for (const m of ${JSON.stringify(modules)}) await import(m);
    const { createRequire } = await import('node:module');
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('worker start-up', () => {
  it('loads RxJS piece by piece and not pino-pretty', () => {
    const loaded = loadedBy([`${DIST}log.js`, `${DIST}worker/runtime.js`, `${DIST}config/file.js`]);
    expect(loaded.some((f) => f.includes('/rxjs/dist/cjs/internal/Observable.js'))).toBe(true);
    expect(loaded.filter((f) => f.includes('/rxjs/dist/cjs/internal/operators/'))).toEqual([]);
    expect(loaded.filter((f) => f.endsWith('/rxjs/dist/cjs/index.js'))).toEqual([]);
    expect(loaded.filter((f) => f.includes('/pino-pretty/'))).toEqual([]);
  });

  it('the check sees the operators the master loads, and the master too stays off the entry point (the test can fail)', () => {
    const loaded = loadedBy([`${DIST}master/runtime.js`]);
    expect(loaded.some((f) => f.endsWith('/rxjs/dist/cjs/internal/operators/debounceTime.js'))).toBe(true);
    expect(loaded.filter((f) => f.endsWith('/rxjs/dist/cjs/index.js'))).toEqual([]);
  });

  it('the master loads prom-client only to serve metrics', () => {
    expect(loadedBy([`${DIST}master/runtime.js`, `${DIST}master/observers/control-and-metrics.js`]).filter((f) => f.includes('/prom-client/'))).toEqual([]);
    expect(loadedBy([`${DIST}metrics/master-metrics.js`]).some((f) => f.includes('/prom-client/'))).toBe(true);
  });
});
