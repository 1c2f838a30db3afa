/** The programmatic API, embedded in this test process, exactly as the README shows it. */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { get } from '../helpers/http.js';

const api = '../../dist/src/index.js';
const app = fileURLToPath(new URL('../fixtures/apps/fetch.mjs', import.meta.url));

describe('run()', () => {
  it('starts a master in this process, serves, and resolves done with 0 after stop()', async () => {
    const { run } = await import(api);
    const master = await run({ app, workers: 2, bind: ['127.0.0.1:0'], logLevel: 'silent' });
    expect(master.urls).toHaveLength(1);
    const { waitFor } = await import('xstate');
    await waitFor(master.actor, (s: { matches(v: string): boolean }) => s.matches('serving'), { timeout: 20_000 });
    expect((await get(`${master.urls[0]}/api`)).body).toMatch(/^fetch GET \/api/);
    master.stop();
    expect(await master.done).toBe(0);
  });

  it('throws a StatforkError with a stable code and exit code for a bad option', async () => {
    const { run, StatforkError } = await import(api);
    const error = await run({ app, workers: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatforkError);
    expect(error).toMatchObject({ code: 'SF_USAGE', exitCode: 2 });
  });
});
