/** The programmatic API, embedded in this test process, exactly as the README shows it. */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from '../helpers/http.js';
import { eventually } from '../helpers/cli.js';

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

  it('cannot upgrade itself on USR2: logs why and serves on', async () => {
    const { run } = await import(api);
    const errorLog = join(mkdtempSync(join(tmpdir(), 'statefork-api-')), 'error.log');
    const master = await run({ app, workers: 1, bind: ['127.0.0.1:0'], errorLog });
    const { waitFor } = await import('xstate');
    await waitFor(master.actor, (s: { matches(v: string): boolean }) => s.matches('serving'), { timeout: 20_000 });
    process.kill(process.pid, 'SIGUSR2');
    const failed = () =>
      readFileSync(errorLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((r) => /^upgrade failed/.test(r.msg));
    await eventually(() => failed() !== undefined, 10_000, 'the failed upgrade to be logged');
    expect(failed().reason).toMatch(/^an embedded master cannot start itself again: hot upgrade needs the statefork command$/);
    expect((await get(`${master.urls[0]}/api`)).status).toBe(200);
    master.stop();
    expect(await master.done).toBe(0);
  });

  it('throws a StateforkError with a stable code and exit code for a bad option', async () => {
    const { run, StateforkError } = await import(api);
    const error = await run({ app, workers: -1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateforkError);
    expect(error).toMatchObject({ code: 'SF_USAGE', exitCode: 2 });
  });
});
