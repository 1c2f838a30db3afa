/**
 * Framework production builds, unchanged: built from their real packages in the test set-up
 * (test/helpers/frameworks.ts, cached in test-output/), then run by statefork as their docs say
 * to run them with node, and checked as own-listen.shared.ts says.
 */
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { astroStandalone, nestCompiled, nextStandalone, NODE_24, sveltekitNode } from '../helpers/frameworks.js';
import { servesUnchanged } from './own-listen.shared.js';

const BUILD_MS = 300_000;

describe('Next.js output: standalone (.next/standalone/server.js)', () => {
  it("serves its API route on statefork's bind across a HUP and a TERM", { timeout: BUILD_MS }, async () => {
    const server = nextStandalone();
    await servesUnchanged({ entry: server, cwd: dirname(server), path: '/api/hello', slowPath: (ms) => `/api/hello?ms=${ms}`, bootMs: 30_000 });
  });

  it('serves its pages and static assets (public/ and .next/static)', { timeout: BUILD_MS }, async () => {
    const server = nextStandalone();
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', server], { cwd: dirname(server), bootMs: 30_000 });
    const page = await get(`${m.url()}/`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<main>hello from <!-- -->\d+<\/main>|<main>hello from \d+<\/main>/);
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const chunk = await get(`${m.url()}${asset}`);
    expect(chunk.status).toBe(200);
    expect(chunk.body.length).toBeGreaterThan(100);
    expect(await get(`${m.url()}/static.txt`)).toMatchObject({ status: 200, body: 'a static file from public/\n' });
    // Next's own SIGTERM/SIGINT handlers (close and process.exit) are set aside in each worker.
    expect(m.records.filter((r) => r.role === 'worker' && r.signal === 'SIGTERM' && r.level === 40)).toHaveLength(2);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

describe('NestJS (compiled dist/main.js)', () => {
  it('await app.listen(3000): served across a HUP and a TERM', { timeout: BUILD_MS }, () => servesUnchanged({ entry: nestCompiled(), bootMs: 30_000 }));
});

/** Its page (rendered per request), an API route and a static file, then a TERM. */
async function pagesAndStatic(entry: string, staticText: string, node?: string) {
  const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', entry], { node, bootMs: 30_000 });
  const page = await get(`${m.url()}/`);
  expect(page.status).toBe(200);
  expect(m.workerPids()).toContain(Number(/<main>hello from (\d+)<\/main>/.exec(page.body)?.[1]));
  expect(await get(`${m.url()}/static.txt`)).toMatchObject({ status: 200, body: staticText });
  m.signal('SIGTERM');
  expect((await m.exited).code).toBe(0);
}

const api = { path: '/api/hello', slowPath: (ms: number) => `/api/hello?ms=${ms}`, bootMs: 30_000 };

describe('Astro, @astrojs/node standalone (dist/server/entry.mjs)', () => {
  it('serves its API route across a HUP and a TERM', { timeout: BUILD_MS }, () => servesUnchanged({ entry: astroStandalone(), node: NODE_24, ...api }));
  it('serves its pages and public/', { timeout: BUILD_MS }, () => pagesAndStatic(astroStandalone(), 'a static file from public/\n', NODE_24));
});

describe('SvelteKit, adapter-node (build/index.js)', () => {
  it('serves its API route across a HUP and a TERM', { timeout: BUILD_MS }, () => servesUnchanged({ entry: sveltekitNode(), ...api }));
  it('serves its pages and static/', { timeout: BUILD_MS }, () => pagesAndStatic(sveltekitNode(), 'a static file from static/\n'));
});
