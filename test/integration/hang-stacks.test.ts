/**
 * --hang-stacks, for real: a worker stuck in each kind of hang is aborted at --timeout with one
 * record saying where: the function and file:line for a hang in JavaScript (a busy loop, a
 * catastrophic regular expression, Atomics.wait), the system call for a hang outside it (a
 * synchronous child process, a blocking read from a pipe); and it is replaced.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { buildWithout, eventually, startCli, startServing, type Rec } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

const TIMEOUT_S = 2;
const isHung = (r: Rec) => r.event === 'hung';

describe('the stack of a hung worker', () => {
  it.each([
    ['/loop', 'a busy loop', /^spinForever file:\/\/.*\/hangs\.mjs:11:\d+$/],
    ['/regex', 'a catastrophic regular expression', /^catastrophicMatch file:\/\/.*\/hangs\.mjs:15:\d+$/],
    ['/atomics', 'Atomics.wait', /^waitForever file:\/\/.*\/hangs\.mjs:19:\d+$/],
  ])('%s (%s): the function and file:line, then a replacement', async (path, _kind, top) => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', String(TIMEOUT_S), 'hangs.mjs']);
    const [pid] = m.workerPids();
    const from = m.records.length;
    void get(`${m.url()}${path}`, { timeoutMs: 20_000 }).catch(() => {});
    const hung = await m.waitFor(isHung, { from, what: 'the hung record', timeoutMs: 15_000 });
    expect(hung).toMatchObject({ level: 50, id: 1, workerPid: pid, note: null });
    expect(hung.stack[0]).toMatch(top);
    expect(hung.msg).toMatch(new RegExp(`^worker 1 hung: in ${hung.stack[0].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
    expect(hung.stack.some((f: string) => f.startsWith('parserOnIncoming node:_http_server'))).toBe(true);
    expect(hung.stalledMs).toBeGreaterThanOrEqual(900);
    expect(hung.threads[0]).toMatchObject({ tid: pid, state: expect.stringMatching(/^[RS]$/) });
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 2, { from, what: 'the replacement' });
  });

  it.each([
    ['/exec', 'a synchronous child process (execSync)', 'epoll_pwait'],
    ['/pipe', 'a synchronous read from a pipe that never writes', 'read'],
  ])('%s (%s): no JavaScript frame, the system call the main thread sits in, then a replacement', async (path, _kind, syscall) => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', String(TIMEOUT_S), 'hangs.mjs']);
    const [pid] = m.workerPids();
    const from = m.records.length;
    void get(`${m.url()}${path}`, { timeoutMs: 20_000 }).catch(() => {});
    const hung = await m.waitFor(isHung, { from, what: 'the hung record', timeoutMs: 15_000 });
    expect(hung.stack).toEqual([]);
    expect(hung.note).toMatch(/^no JavaScript frame within \d+ ms: the main thread is blocked outside JavaScript/);
    expect(hung.threads[0]).toMatchObject({ tid: pid, state: 'S', syscall });
    expect(hung.msg).toBe(`worker 1 hung: blocked in the system call ${syscall} (${hung.note})`);
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 2, { from, what: 'the replacement' });
  });

  it("--no-hang-stacks: no watchdog thread; the record still has the kernel's view and says why there is no stack", async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', String(TIMEOUT_S), '--no-hang-stacks', 'hangs.mjs']);
    const [pid] = m.workerPids();
    const threadsNow = () =>
      readdirSync(`/proc/${pid}/task`)
        .map((tid) => `${tid} ${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()}`)
        .sort();
    const from = m.records.length;
    void get(`${m.url()}/loop`, { timeoutMs: 20_000 }).catch(() => {});
    // Once the main thread spins, the worker starts no thread (a thread of its start may have come
    // and gone before): the record must list exactly the threads the kernel shows now.
    await eventually(() => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('R') === true, 10_000, 'the worker spinning');
    const spinning = threadsNow();
    expect(spinning.filter((t) => t.endsWith(' WorkerThread'))).toEqual([]);
    const hung = await m.waitFor(isHung, { from, what: 'the hung record', timeoutMs: 15_000 });
    expect(hung.stack).toEqual([]);
    expect(hung.note).toMatch(/^no stack from the watchdog thread/);
    expect(hung.threads.map((t: { tid: number; name: string }) => `${t.tid} ${t.name}`).sort()).toEqual(spinning);
    expect(hung.threads[0]).toMatchObject({ tid: pid, state: 'R', syscall: 'running' });
  });
});

const threadNames = (pid: number) => readdirSync(`/proc/${pid}/task`).map((t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim());

describe('which watchdog takes the stack', () => {
  it('the native watchdog when it is built for this Node (no second isolate); the master says so once', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--timeout', String(TIMEOUT_S), 'hangs.mjs']);
    expect(m.records.filter((r) => r.watchdog)).toEqual([
      expect.objectContaining({ role: 'master', watchdog: 'native', msg: 'hang stacks: each worker runs the native watchdog (no second isolate)' }),
    ]);
    // No worker_threads thread (Node 24 names it WorkerThread; the fallback below has one), and
    // this Node's own build of the addon is mapped into every worker (on any line).
    expect(
      m
        .workerPids()
        .flatMap(threadNames)
        .filter((n) => n === 'WorkerThread'),
    ).toEqual([]);
    for (const pid of m.workerPids())
      expect(readFileSync(`/proc/${pid}/maps`, 'utf8')).toContain(`watchdog-${process.platform}-${process.arch}-abi${process.versions.modules}.node`);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it.each([
    ['/loop', /^spinForever file:\/\/.*\/hangs\.mjs:11:\d+$/],
    ['/atomics', /^waitForever file:\/\/.*\/hangs\.mjs:19:\d+$/],
  ])('without it (another Node ABI), the watchdog thread takes the same stack for %s; the master says what that costs', async (path, top) => {
    const build = buildWithout((f) => f.startsWith('watchdog-'));
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', String(TIMEOUT_S), 'hangs.mjs'], { command: [process.execPath, build.cli] });
    expect(m.records.filter((r) => r.watchdog).map((r) => r.msg)).toEqual([
      `hang stacks: no native watchdog for this Node (ABI ${process.versions.modules}): each worker runs a watchdog thread, about 12 MiB more; --no-hang-stacks saves it`,
    ]);
    const from = m.records.length;
    void get(`${m.url()}${path}`, { timeoutMs: 20_000 }).catch(() => {});
    const hung = await m.waitFor(isHung, { from, what: 'the hung record', timeoutMs: 15_000 });
    expect(hung.stack[0]).toMatch(top);
    expect(m.workerPids().flatMap(threadNames)).toContain('WorkerThread');
    m.signal('SIGTERM');
    await m.exited;
    build.remove();
  });
});

describe('the last hang, in the views', () => {
  it('statefork status and workers (text and --json), the metrics and the inspector show the last hung worker', async () => {
    const m = await startServing([
      '-w',
      '1',
      '-b',
      '127.0.0.1:0',
      '--timeout',
      String(TIMEOUT_S),
      '--metrics',
      '127.0.0.1:0',
      '--inspector',
      '127.0.0.1:0',
      'hangs.mjs',
    ]);
    const metrics = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const inspector = (await m.waitFor((x) => typeof x.inspector === 'string')).inspector as string;
    const from = m.records.length;
    void get(`${m.url()}/loop`, { timeoutMs: 20_000 }).catch(() => {});
    const hung = await m.waitFor(isHung, { from, what: 'the hung record', timeoutMs: 15_000 });
    const control = ['--control-socket', `/run/statefork/${m.pid}.sock`];
    const run = async (args: string[]) => {
      const r = startCli(args);
      await r.exited;
      return r.stdout;
    };
    const status = JSON.parse(await run(['status', '--json', ...control]));
    const { level: _l, time: _t, role: _r, pid: _p, event: _e, msg: _m, ...record } = hung;
    expect(status.lastHang).toEqual(record);
    expect(await run(['status', ...control])).toMatch(
      new RegExp(`\\nlast hang +worker 1 \\(pid ${hung.workerPid}\\) [\\d.]+s ago, in spinForever file://\\S+/hangs\\.mjs:11:\\d+\\n$`),
    );
    expect(await (await fetch(new URL('/hang', inspector))).json()).toEqual(record);
    // statefork workers: the live ones, then the hung one, gone, with where it was stuck.
    const listed = JSON.parse(await run(['workers', '--json', ...control])) as Array<Record<string, unknown>>;
    expect(listed.at(-1)).toMatchObject({ id: 1, pid: hung.workerPid, state: 'hung', hang: record });
    expect(listed.slice(0, -1).map((w) => w.state)).not.toContain('hung');
    const text = await run(['workers', ...control]);
    expect(text).toMatch(new RegExp(`\nlast hang: worker 1 \\(pid ${hung.workerPid}\\) [\\d.]+s ago, in spinForever file://\\S+/hangs\\.mjs:11:\\d+\\n$`));
    expect(
      text
        .split('\n')
        .filter((l) => /^\d+ /.test(l))
        .map((l) => l.split(/ +/)[2]),
    ).not.toContain('hung');
    const scrape = await (await fetch(metrics)).text();
    expect(scrape).toMatch(/^statefork_worker_hangs_total\{stack="javascript"\} 1$/m);
    expect(scrape).toMatch(/^statefork_worker_hangs_total\{stack="none"\} 0$/m);
  });
});
