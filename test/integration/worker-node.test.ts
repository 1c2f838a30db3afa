/**
 * The workers' Node, for real: modules preloaded in each worker and never in the master
 * (--import, --require; OpenTelemetry's SDK recording a span), Node flags for the workers only
 * (--node-option), each checked at start; and TypeScript entries on the Node lines that strip
 * types, with the one-line fix elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, CLI, eventually, NODE, refusal, startServing, type Rec } from '../helpers/cli.js';
import { get, pidOf } from '../helpers/http.js';
import { NODE_24 } from '../helpers/frameworks.js';

const PRELOAD = join(APPS, 'preload');
const lines = (file: string): Rec[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** The V8 heap limit (MiB) of a process of the Node that runs the tests, started with `flags`. */
const heapLimitMb = (flags: string[]) =>
  Number(spawnSync(NODE, [...flags, '-p', "Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576)"], { encoding: 'utf8' }).stdout.trim());
const scratch = () => mkdtempSync(join(tmpdir(), 'statefork-node-'));

describe('--import, --require: preloaded in each worker, never in the master', () => {
  it("OpenTelemetry's Node SDK with auto-instrumentations records the request a worker served", async () => {
    const spans = join(scratch(), 'spans.jsonl');
    writeFileSync(spans, '');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--import', join(PRELOAD, 'otel.mjs'), join(APPS, 'listen', 'plain.cjs')], {
      env: { SPANS_FILE: spans },
      bootMs: 30_000,
    });
    const reply = await get(`${m.url()}/?ms=1`);
    const worker = pidOf(reply.body);
    // The exporter writes a file, not a log record: poll it, with a deadline.
    await eventually(() => lines(spans).some((s) => s.attributes['url.path'] === '/'), 20_000, 'the span to be exported');
    const span = lines(spans).find((s) => s.attributes['url.path'] === '/')!;
    expect(span).toMatchObject({ name: 'GET', kind: 1, pid: worker });
    expect(span.attributes['server.port']).toBe(Number(new URL(m.url()).port));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('each worker loads them before the app, in order, once (not in its watchdog thread); the master never does', async () => {
    const mark = join(scratch(), 'mark.jsonl');
    writeFileSync(mark, '');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--require', join(PRELOAD, 'mark.cjs'), '--import', join(PRELOAD, 'mark.mjs'), 'hello.cjs'], {
      env: { MARK_FILE: mark },
    });
    const loaded = lines(mark);
    expect(loaded.map((l) => l.pid).sort()).toEqual([...m.workerPids(), ...m.workerPids()].sort());
    expect(loaded.map((l) => l.pid)).not.toContain(m.pid);
    expect(loaded[0].execArgv).toEqual(['--import', join(PRELOAD, 'mark.mjs'), '--require', join(PRELOAD, 'mark.cjs')]);
    // Node runs --require preloads first, then --import ones, then the worker (and the app).
    expect(loaded.filter((l) => l.pid === loaded[0].pid).map((l) => l.module ?? 'cjs')).toEqual(['cjs', 'esm']);
    // A HUP's workers load them too.
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => x.machine === 'master' && x.to === 'serving.running', { from });
    expect(lines(mark)).toHaveLength(8);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a module that cannot be found: exit 2 at start, naming it and the fix', async () => {
    const r = await refusal(['--import', 'no-such-package-here', 'hello.cjs']);
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      `statefork: error: invalid --import 'no-such-package-here': cannot find it from ${APPS.replace(/\/$/, '')}; install the package (npm install no-such-package-here) or give the module's path`,
    ]);
  });
});

describe('--node-option: Node flags for the workers only', () => {
  it('--max-old-space-size reaches the workers and not the master', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--node-option', '--max-old-space-size=96', join(PRELOAD, 'heap.cjs')]);
    const reply = await get(`${m.url()}/`);
    const heapMb = Number(/^heap (\d+)/.exec(reply.body)?.[1]);
    // The limit V8 derives from the flag differs by Node line (the young generation is added):
    // the worker's is the one this very Node gives a process started with that flag, and far
    // below its default.
    expect(heapMb).toBe(heapLimitMb(['--max-old-space-size=96']));
    expect(heapMb).toBeLessThan(heapLimitMb([]) / 2);
    expect(JSON.parse(/flags (.*)$/m.exec(reply.body)![1])).toEqual(['--max-old-space-size=96']);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('from the config file too', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'statefork.config.json'), JSON.stringify({ nodeOption: ['--max-old-space-size=80'], require: [join(PRELOAD, 'mark.cjs')] }));
    const mark = join(dir, 'mark.jsonl');
    writeFileSync(mark, '');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', join(PRELOAD, 'heap.cjs')], { cwd: dir, env: { MARK_FILE: mark } });
    expect((await get(`${m.url()}/`)).body).toMatch(new RegExp(`^heap ${heapLimitMb(['--max-old-space-size=80'])} from`));
    expect(lines(mark)).toHaveLength(1);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it.each([
    [
      ['--node-option', '--max-old-space=12'],
      /^statefork: error: invalid --node-option '--max-old-space=12': Node v[\d.]+ refuses it \(.*bad option: --max-old-space=12\); fix or drop the flag$/,
    ],
    // (the = form: Node 20 reads an --env-file anywhere in argv, even the script's own arguments)
    [
      ['--node-option=--env-file=/nonexistent/.env'],
      /^statefork: error: invalid --node-option '--env-file=\/nonexistent\/\.env': Node v[\d.]+ refuses it \(.*not found\); fix or drop the flag$/,
    ],
    [
      ['--node-option', '-e'],
      /^statefork: error: invalid --node-option '-e': a worker runs statefork's entry, not code of its own; preload modules with --import or --require instead$/,
    ],
    [['--node-option', '--require=x'], /^statefork: error: invalid --node-option '--require=x': a worker runs statefork's entry/],
    [
      ['--node-option', 'max-old-space-size=1'],
      /^statefork: error: invalid --node-option 'max-old-space-size=1': give a Node or V8 flag, e\.g\. --max-old-space-size=512 \(with = for its value\)$/,
    ],
  ])('%j: exit 2 with one line', async (args, message) => {
    const r = await refusal([...args, 'hello.cjs']);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(message);
  });
});

describe('TypeScript entries', () => {
  const ts = join(APPS, 'ts');
  it('on Node 24 (types stripped by default): server.ts runs as it is', async () => {
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', join(ts, 'server.ts')], { node: NODE_24 });
    expect(m.workerPids()).toContain(pidOf((await get(`${m.url()}/`)).body));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('on Node 24, syntax type stripping does not do (an enum) fails the boot with the reason, exit 4', async () => {
    const r = await refusal(['-w', '1', '-b', '127.0.0.1:0', join(ts, 'enum.ts')], { node: NODE_24 });
    expect(r.code).toBe(4);
  });

  it('with --import tsx: even an enum runs, on any supported Node', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--import', 'tsx', join(ts, 'enum.ts')], { bootMs: 30_000 });
    expect((await get(`${m.url()}/`)).body).toMatch(/^hello from \d+/);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('on a Node that does not strip types: exit 2, one line naming both fixes', async () => {
    const server = join(ts, 'server.ts');
    // Node 20 does not strip types; Node 24 does not when told so (the flag reaches the workers too).
    const [node, flags, why] = (process.features as { typescript?: unknown }).typescript
      ? [NODE_24, ['--no-experimental-strip-types'], 'runs with type stripping turned off (--no-experimental-strip-types); drop that flag']
      : [process.execPath, [], 'does not strip types; run statefork on Node 22.18 or newer'];
    const r = spawnSync(node, [...flags, CLI, server], { encoding: 'utf8', cwd: APPS });
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `statefork: error: invalid app '${server}': it is TypeScript, and Node ${version} ${why}, or add --import tsx (npm install tsx)`,
    ]);
  });

  it('on Node 24 with type stripping turned off, too', async () => {
    const server = join(ts, 'server.ts');
    const r = spawnSync(NODE_24, ['--no-experimental-strip-types', CLI, server], { encoding: 'utf8', cwd: APPS });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^statefork: error: invalid app '.*server\.ts': it is TypeScript, and Node v24\.[\d.]+ runs with type stripping turned off \(--no-experimental-strip-types\); drop that flag, or add --import tsx \(npm install tsx\)\n$/,
    );
  });
});
