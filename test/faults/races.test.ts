/**
 * Races at start never take a serving site down or drop a signal (hardening, item 10), for real,
 * with a worker whose app loads slowly (held by a file, test/fixtures/apps/gated.mjs): a deploy's
 * HUP that comes while the first generation boots is queued and happens, and new code that is
 * broken in that moment does not halt a master whose other worker already answers.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, isAlive, isTransition, startCli } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

function project(): { app: string; gate: string; version: string } {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-race-'));
  cpSync(join(APPS, 'gated.mjs'), join(dir, 'app.mjs'));
  return { app: join(dir, 'app.mjs'), gate: join(dir, 'gate'), version: join(dir, 'version.txt') };
}

describe('races at the first boot', () => {
  it('a HUP while the first generation boots is queued, and the deploy it stands for happens', async () => {
    const { app, gate, version } = project();
    writeFileSync(version, 'v1');
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', app], { env: { GATE: gate } });
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 1); // worker 2 is held
    writeFileSync(version, 'v2'); // the deploy lands ...
    m.signal('SIGHUP'); // ... and says so, before the first generation is up
    await m.waitFor((x) => x.msg === 'HUP while the first generation boots: queued; the reload starts once it serves');
    writeFileSync(gate, 'ok');
    await m.waitForCount(isTransition('master', 'serving.running'), 2, { what: 'the queued reload to complete' });
    const path = m.records.filter((x) => x.event === 'transition' && x.machine === 'master').map((x) => x.to);
    expect(path).toEqual(['booting', 'serving.running', 'serving.reloading.configuring', 'serving.reloading.rolling', 'serving.running']);
    for (let i = 0; i < 10; i++) expect((await get(`${m.url()}/`)).body).toMatch(/^gated v2 from/);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('the code breaks while a sibling boots: the serving worker serves on, the sibling is retried with backoff, no halt', async () => {
    const { app, gate } = project();
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', app], { env: { GATE: gate } });
    const first = await m.waitFor((x) => x.msg === 'worker ready' && x.id === 1);
    writeFileSync(gate, 'broken'); // worker 2 goes on loading, and the code it finds throws
    await m.waitFor((x) => x.msg === 'a first-generation worker could not boot while another one serves: serving on, retrying it with backoff');
    await m.waitFor(isTransition('master', 'serving.running'));
    // Retried, failing, backing off: the site answers from worker 1 all the while.
    await m.waitForCount((x) => x.msg === 'worker exited: app-load-error', 2);
    expect(m.records.filter((x) => x.msg === 'worker exited: app-load-error').map((x) => x.failures)).toEqual([1, 2]);
    for (let i = 0; i < 10; i++) expect((await get(`${m.url()}/`)).body).toBe(`gated v1 from ${first.workerPid}\n`);
    expect(isAlive(m.pid)).toBe(true);
    // The fix lands: the next retry boots it.
    writeFileSync(gate, 'ok');
    const ready = m.records.length;
    await m.waitFor((x) => x.msg === 'worker ready', { from: ready, timeoutMs: 20_000 });
    expect(m.records.some(isTransition('master', 'stopping.quick'))).toBe(false);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('nothing has served yet: broken code still fails fast, exit 4 with the reason', async () => {
    const { app, gate } = project();
    writeFileSync(gate, 'broken');
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', app], { env: { GATE: gate } });
    expect((await m.exited).code).toBe(4);
    expect(m.records.find((x) => x.level === 60)?.msg).toMatch(/^App failed to load: .*app\.mjs threw while loading: broken release$/);
  });
});
