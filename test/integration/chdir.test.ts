/** --chdir, for real: relative paths come from the new directory; the config file from where statefork started. */
import { cpSync, existsSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, isTransition, refusal, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('--chdir', () => {
  it('loads the app and writes files relative to the directory; workers run there; a HUP still finds the config file', async () => {
    const [started, target] = [mkdtempSync(join(tmpdir(), 'statefork-start-')), mkdtempSync(join(tmpdir(), 'statefork-chdir-'))];
    cpSync(join(APPS, 'hello.cjs'), join(target, 'app.cjs'));
    writeFileSync(join(started, 'statefork.config.json'), JSON.stringify({ chdir: target, app: './app.cjs', pid: 'app.pid', bind: '127.0.0.1:0', workers: 1 }));
    const m = await startServing([], { cwd: started });
    expect((await get(`${m.url()}/`)).status).toBe(200);
    expect(existsSync(join(target, 'app.pid'))).toBe(true);
    expect(existsSync(join(started, 'app.pid'))).toBe(false);
    for (const pid of [m.pid, ...m.workerPids()]) expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(target);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.reloading.rolling'), { from, what: 'the config file read again' });
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('refuses a directory that does not exist with one line and exit 2', async () => {
    const { code, lines } = await refusal(['--chdir', '/no/such/dir', '-b', '127.0.0.1:0', 'hello.cjs']);
    expect(code).toBe(2);
    expect(lines).toEqual(["statefork: error: invalid --chdir '/no/such/dir': ENOENT; give an existing directory"]);
  });
});
