/** --reload (development): editing the app reloads it, readiness-gated; a broken edit keeps the old code serving. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, isTransition, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('--reload', () => {
  it('reloads when the app changes, and keeps the old workers when the change breaks it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-dev-'));
    cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
    writeFileSync(join(dir, 'version.txt'), 'v1');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--reload', join(dir, 'app.cjs')]);
    let from = m.records.length;
    writeFileSync(join(dir, 'version.txt'), 'v2');
    await m.waitFor((x) => x.msg === 'files changed: reloading', { from });
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    // The master is done when it has told the old worker to go; the old worker stops accepting
    // once it has read its TERM, a moment later: a request in between may still reach it.
    await m.waitFor((x) => x.machine === 'master.worker' && x.id === 1 && x.to === 'exited', { from, what: 'the old worker to go' });
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello v2/);
    from = m.records.length;
    writeFileSync(join(dir, 'app.cjs'), "throw new Error('typo');\n");
    await m.waitFor((x) => /reload abandoned/.test(x.msg ?? ''), { from });
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello v2/);
  });
});
