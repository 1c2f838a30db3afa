/**
 * The package as a user gets it: packed, installed offline into a fresh project (from the cache
 * `npm ci` filled), then run, type-checked against and weighed. The install-size figure in the
 * README is the one this test prints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerProject } from '../helpers/consumer.js';
import { isTransition, NODE, startCli, startServing } from '../helpers/cli.js';
import { get, pidOf } from '../helpers/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
/** The install target of the issue: `npm install statefork` at most this much on disk. */
const MAX_INSTALL_MIB = 25;
// The Node the suite runs on comes first on PATH, as a user's own Node would.
const env = { PATH: `${dirname(NODE)}:${process.env.PATH}`, npm_config_update_notifier: 'false' };

let dir = '';
let tgz = '';
let files: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'statefork-package-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } }),
  )[0];
  tgz = join(dir, packed.filename);
  files = (packed.files as Array<{ path: string }>).map((f) => f.path);
  const app = join(dir, 'app');
  mkdirSync(app);
  consumerProject(app, tgz, join(ROOT, 'package-lock.json'));
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: app, env: { ...process.env, ...env } });
}, 120_000);

const app = () => join(dir, 'app');

describe('the package, installed as a user installs it', () => {
  it('holds what runs and the docs, no tests, fixtures, sources or dev files', () => {
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('CHANGELOG.md');
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/visualize/inspector/master.svg');
    // The native reaper, prebuilt (no compiler at install); its source and build script stay home.
    expect(files).toContain(`dist/src/native/reaper-${process.platform}-${process.arch}.node`);
    // The native watchdog, one per supported Node ABI (22, 24, 26).
    expect(files.filter((f) => /^dist\/src\/native\/watchdog-.*\.node$/.test(f)).sort()).toEqual(
      ['127', '137', '147'].map((abi) => `dist/src/native/watchdog-${process.platform}-${process.arch}-abi${abi}.node`),
    );
    expect(files.filter((f) => /reaper\.c$|watchdog\.cc$|build\.mjs$/.test(f))).toEqual([]);
    const stray = files.filter(
      (f) => /(^|\/)(test|fixtures|node_modules)\//.test(f) || /\.test\.|\.map$|tsconfig|stryker|\.ci\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)),
    );
    expect(stray).toEqual([]);
    expect(files.every((f) => /^(dist\/(src|machines|visualize)\/|src\/metrics\/monitoring\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE)/.test(f))).toBe(
      true,
    );
  });

  it('npm publish --dry-run is clean: nothing warned but the missing login of a machine that never publishes', () => {
    const r = spawnSync('npm', ['publish', '--dry-run'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.status).toBe(0);
    const warned = (r.stdout + r.stderr).split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l));
    expect(warned).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(manifest)).toEqual(expect.arrayContaining(['repository', 'homepage', 'keywords', 'license', 'engines']));
    expect(manifest.engines.node).toBe('>=22.12');
    expect(manifest.optionalDependencies).toBeUndefined();
  });

  it(`weighs at most ${MAX_INSTALL_MIB} MiB on disk, and holds no Node binary`, () => {
    const kib = (path: string) => Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]);
    const modules = join(app(), 'node_modules');
    const total = kib(modules);
    const biggest = readdirSync(modules)
      .filter((n) => !n.startsWith('.'))
      .flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : [n]))
      .map((n) => ({ name: n, mib: kib(join(modules, n)) / 1024 }))
      .sort((a, b) => b.mib - a.mib)
      .slice(0, 5);
    console.log(`install size: ${(total / 1024).toFixed(1)} MiB on disk; biggest: ${biggest.map((b) => `${b.name} ${b.mib.toFixed(1)}`).join(', ')}`);
    expect(total / 1024).toBeLessThanOrEqual(MAX_INSTALL_MIB);
    expect(execFileSync('find', [modules, '-type', 'f', '-name', 'node', '-perm', '-u+x'], { encoding: 'utf8' })).toBe('');
    for (const peer of ['@hono/node-server', 'hono', 'prom-client', '@statelyai/inspect', '@viz-js/viz', 'node-22', 'node-24'])
      expect(existsSync(join(modules, peer))).toBe(false);
  });

  it('npx statefork --version prints the package version', () => {
    const r = spawnSync('npx', ['--offline', 'statefork', '--version'], { cwd: app(), encoding: 'utf8', env: { ...process.env, ...env } });
    expect([r.status, r.stdout.trim()]).toEqual([0, VERSION]);
  });

  it('serves an app with 2 workers, reloads on HUP, exits 0 on TERM', async () => {
    writeFileSync(
      join(app(), 'server.js'),
      "require('node:http').createServer((req, res) => res.end(`hello from ${process.pid}\\n`)).listen(process.env.PORT || 3000);\n",
    );
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', 'server.js'], { command: [join(app(), 'node_modules/.bin/statefork')], cwd: app(), env });
    const old = m.workerPids();
    expect(old).toContain(pidOf((await get(`${m.url()}/`)).body));
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload' });
    await m.waitForCount((x) => x.machine === 'master.worker' && x.to === 'exited', 2, { from, what: 'the old workers to exit' });
    expect(old).not.toContain(pidOf((await get(`${m.url()}/`)).body));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a feature whose optional package is not installed: one line naming the package to add', async () => {
    const bin = [join(app(), 'node_modules/.bin/statefork')];
    const metrics = startCli(['-w', '1', '-b', '127.0.0.1:0', '--metrics', '127.0.0.1:0', 'server.js'], { command: bin, cwd: app(), env });
    expect((await metrics.exited).code).toBe(2);
    expect(metrics.stderrText()).toContain(
      'statefork: error: --metrics (the Prometheus endpoint) needs the package prom-client, which is not installed: npm install prom-client',
    );
    const stately = startCli(['-w', '1', '-b', '127.0.0.1:0', '--inspect-stately', 'ws://127.0.0.1:9/', 'server.js'], { command: bin, cwd: app(), env });
    expect((await stately.exited).code).toBe(2);
    expect(stately.stderrText()).toContain(
      "statefork: error: --inspect-stately (forwarding to Stately's inspector) needs the package @statelyai/inspect, which is not installed: npm install @statelyai/inspect",
    );
    writeFileSync(join(app(), 'fetch.mjs'), "export default { fetch: () => new Response('hi') };\n");
    const fetchApp = startCli(['-w', '1', '-b', '127.0.0.1:0', 'fetch.mjs'], { command: bin, cwd: app(), env });
    expect((await fetchApp.exited).code).toBe(4);
    expect(fetchApp.records.find((x) => x.level === 60)?.msg).toMatch(
      /is a fetch app: serving an app that exports \{ fetch\(request\) \} needs the package @hono\/node-server, which is not installed: npm install @hono\/node-server$/,
    );
    const svg = spawnSync(bin[0], ['visualize', '--format', 'svg'], { cwd: app(), encoding: 'utf8', env: { ...process.env, ...env } });
    expect([svg.status, svg.stderr.trim()]).toEqual([
      2,
      'statefork: error: drawing SVG (statefork visualize --format svg) needs the package @viz-js/viz, which is not installed: npm install @viz-js/viz',
    ]);
  });

  it('a TypeScript consumer compiles against the published types', () => {
    writeFileSync(
      join(app(), 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['use.ts'],
      }),
    );
    writeFileSync(
      join(app(), 'use.ts'),
      [
        "import { EXIT, type Config } from 'statefork';",
        "import { draining } from 'statefork/worker';",
        "import { masterMachine } from 'statefork/machines';",
        'const aborted: boolean = draining.aborted;',
        'const id: string = masterMachine.id;',
        'const ok: 0 = EXIT.OK;',
        'export { aborted, id, ok };',
        'export type { Config };',
        '',
      ].join('\n'),
    );
    const r = spawnSync(NODE, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app()], { cwd: app(), encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
