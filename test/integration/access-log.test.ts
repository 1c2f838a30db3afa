/** The access log: workers write it, whole lines, in gunicorn's format or as JSON; USR1 reopens it. */
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, startCli, startServing } from '../helpers/cli.js';
import { get, requestLoop } from '../helpers/http.js';

// Complete lines only: a worker may be in the middle of writing one.
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1) : []);

describe('access log', () => {
  it('one whole line per request from every worker, in the default format, even under concurrent load', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-access-')), 'access.log');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--access-log', file, 'hello.cjs']);
    let n = 0;
    const result = await requestLoop(`${m.url()}/path?x=1`, { concurrency: 4, stop: () => ++n > 200 });
    await eventually(() => lines(file).length === result.ok, 10_000, `${result.ok} access log lines`);
    const re = /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/path\?x=1 HTTP\/1\.1" 200 \d+ "-" "-"$/;
    expect(lines(file).filter((l) => !re.test(l))).toEqual([]);
  });

  it('custom atoms, request headers and duration; json writes one record per request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-access-'));
    const text = join(dir, 'text.log');
    const m = await startServing([
      '-w',
      '1',
      '-b',
      '127.0.0.1:0',
      '--access-log',
      text,
      '--access-log-format',
      '%(m)s %(U)s %(q)s %(s)s %(D)s %({host}i)s %(p)s',
      'hello.cjs',
    ]);
    await get(`${m.url()}/slow?ms=50`);
    await eventually(() => lines(text).length === 1, 5000, 'the line');
    const [method, path, query, status, micros, host, pid] = lines(text)[0].split(' ');
    expect([method, path, query, status, host, pid]).toEqual(['GET', '/slow', 'ms=50', '200', new URL(m.url()).host, `<${m.workerPids()[0]}>`]);
    expect(Number(micros)).toBeGreaterThanOrEqual(50_000);

    const json = join(dir, 'json.log');
    const j = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--access-log', json, '--access-log-format', 'json', 'hello.cjs']);
    await get(`${j.url()}/a`);
    await eventually(() => lines(json).length === 1, 5000, 'the record');
    expect(JSON.parse(lines(json)[0])).toMatchObject({ msg: 'request', method: 'GET', url: '/a', status: 200, pid: j.workerPids()[0] });
  });

  it('USR1 after logrotate moved the file: new lines go to a new file, none lost', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-access-')), 'access.log');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--access-log', file, 'hello.cjs']);
    for (let i = 0; i < 10; i++) await get(`${m.url()}/`);
    await eventually(() => lines(file).length === 10, 5000, 'ten lines');
    renameSync(file, `${file}.1`);
    m.signal('SIGUSR1');
    await m.waitForCount((x) => x.msg === 'log file reopened', 2);
    for (let i = 0; i < 10; i++) await get(`${m.url()}/`);
    await eventually(() => lines(file).length === 10, 5000, 'ten lines in the new file');
    expect(lines(`${file}.1`)).toHaveLength(10);
  });

  it('USR1 under load: every request served is one whole line, in the old file or the new one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-access-')), 'access.log');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--access-log', file, '--keep-alive', '1', 'hello.cjs']);
    let done = false;
    const loop = requestLoop(`${m.url()}/`, { concurrency: 4, keepAlive: true, stop: () => done });
    await eventually(() => lines(file).length > 50, 10_000, 'traffic in the log');
    renameSync(file, `${file}.1`);
    m.signal('SIGUSR1');
    await m.waitForCount((x) => x.msg === 'log file reopened', 2);
    await eventually(() => lines(file).length > 50, 10_000, 'traffic in the new file');
    done = true;
    const result = await loop;
    expect(result.failures).toEqual([]);
    await eventually(() => lines(`${file}.1`).length + lines(file).length === result.ok, 5000, 'a line for every request');
    const all = [...lines(`${file}.1`), ...lines(file)];
    expect(all.every((l) => /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "-"$/.test(l))).toBe(true);
  });

  it('an access log that cannot be opened: exit 1 naming the fix', async () => {
    const r = startCli(['-b', '127.0.0.1:0', '--access-log', '/nonexistent/dir/access.log', 'hello.cjs']);
    expect((await r.exited).code).toBe(1);
    expect(r.stderrText()).toBe('statefork: error: cannot open --access-log /nonexistent/dir/access.log: ENOENT; give a writable file or - for stdout\n');
  });
});
