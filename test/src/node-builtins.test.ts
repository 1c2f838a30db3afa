/**
 * What a worker and a master load, as a fact of their module graphs (their memory is the bench's):
 * statefork's own code never makes Node load undici (an ESM import of node:http would, through its
 * lazy WebSocket export: 13 MiB on Node 24), nor TLS unless it serves HTTPS. The control: the same
 * check sees undici after `import 'node:http'`.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const loaded = (code: string): string[] =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', `${code}; console.log(JSON.stringify(process.moduleLoadList))`], {
      encoding: 'utf8',
      cwd: process.cwd(),
    }),
  );
const heavy = (list: string[]) => list.filter((m) => /internal\/deps\/undici|NativeModule (https|tls)$/.test(m));

describe('the processes load what serves requests', () => {
  it("a worker's runtime and logger: no undici, no TLS", () => {
    expect(heavy(loaded("await import('./dist/src/worker/runtime.js'); await import('./dist/src/worker/logging.js')"))).toEqual([]);
  });
  it('a worker loads none of what only the master or a fallback needs: no fs/promises, crypto, worker_threads, assert, pino', () => {
    const list = loaded(
      "await import('./dist/src/worker/runtime.js'); await import('./dist/src/worker/logging.js'); await import('./dist/src/worker/access-log.js')",
    );
    expect(list.filter((m) => /NativeModule (internal\/fs\/promises|crypto|worker_threads|assert|os)$/.test(m))).toEqual([]);
    // The control: the same check sees them after the master's logger (pino) is loaded.
    expect(loaded("await import('./dist/src/log.js')").filter((m) => /NativeModule (worker_threads|assert)$/.test(m))).toHaveLength(2);
  });
  it("the master's runtime with its health, metrics and inspector servers: no undici, no TLS", () => {
    expect(
      heavy(
        loaded("await import('./dist/src/master/runtime.js'); await import('./dist/src/health/server.js'); await import('./dist/src/inspector/server.js')"),
      ),
    ).toEqual([]);
  });
  it('the control: an ESM import of node:http loads undici', () => {
    expect(heavy(loaded("await import('node:http')"))).toContain('NativeModule internal/deps/undici/undici');
  });
});
