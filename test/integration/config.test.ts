import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, eventually, isTransition, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

/** A working directory with the test app and, optionally, a config file. */
function project(configName?: string, config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-config-'));
  cpSync(join(APPS, 'hello.cjs'), join(dir, 'app.cjs'));
  if (configName) writeFileSync(join(dir, configName), config!);
  return dir;
}

async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = startCli(args, { cwd, env });
  const { code } = await r.exited;
  return { code, stdout: r.stdout, lines: r.stderrText().trim().split('\n') };
}

describe('configuration file', () => {
  it.each([
    ['statefork.config.mjs', "export default { app: './app.cjs', workers: 3, bind: '127.0.0.1:0' };\n"],
    ['statefork.config.cjs', "module.exports = { app: './app.cjs', workers: 3, bind: ['127.0.0.1:0'] };\n"],
    ['statefork.config.json', '{ "app": "./app.cjs", "workers": 3, "bind": "127.0.0.1:0" }\n'],
  ])('%s in the working directory is loaded', async (name, text) => {
    const cwd = project(name, text);
    const m = await startServing([], { cwd });
    expect(m.workerPids()).toHaveLength(3);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('precedence: defaults < config file < STATEFORK_CMD_ARGS < flags, as --print-config shows', async () => {
    const cwd = project('statefork.config.mjs', "export default { app: './app.cjs', workers: 3, timeout: 10, keepAlive: 2 };\n");
    const printed = await run(['--print-config', '-w', '1'], cwd, { STATEFORK_CMD_ARGS: '--workers 2 --timeout 20' });
    expect(printed.code).toBe(0);
    const row = (key: string) =>
      printed.stdout
        .split('\n')
        .find((l) => l.startsWith(`${key} `))!
        .split(/\s{2,}/);
    expect(row('workers')).toEqual(['workers', '1', 'command line']);
    expect(row('timeout')).toEqual(['timeout', '20', 'STATEFORK_CMD_ARGS']);
    expect(row('keepAlive')).toEqual(['keepAlive', '2', `config file ${join(cwd, 'statefork.config.mjs')}`]);
    expect(row('gracefulTimeout')).toEqual(['gracefulTimeout', '30', 'default']);
  });

  it('-c names a config file anywhere', async () => {
    const cwd = project('other.json', '{ "app": "./app.cjs", "workers": 2, "bind": "127.0.0.1:0" }');
    const m = await startServing(['-c', 'other.json'], { cwd });
    expect(m.workerPids()).toHaveLength(2);
  });

  it.each([
    [
      'a syntax error',
      'statefork.config.mjs',
      'export default { workers: 2,, };',
      /^statefork: error: config file .*statefork\.config\.mjs does not load: .*; fix the file$/,
    ],
    [
      'a bad value',
      'statefork.config.mjs',
      "export default { app: './app.cjs', workers: 0 };",
      /^statefork: error: invalid workers '0' in config file .*statefork\.config\.mjs: expected a whole number of 1 or more/,
    ],
    [
      'an unknown key',
      'statefork.config.json',
      '{ "app": "./app.cjs", "wokers": 2 }',
      /^statefork: error: unknown key 'wokers' in config file .*statefork\.config\.json \(did you mean workers\?\); the keys are/,
    ],
    ['not an object', 'statefork.config.json', '[1, 2]', /must export a plain object of options/],
  ])('a config file with %s: exit 2 and one line', async (_, name, text, line) => {
    const r = await run(['-b', '127.0.0.1:0'], project(name, text));
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(line);
  });

  it('a bad value in STATEFORK_CMD_ARGS names the variable', async () => {
    const r = await run(['./app.cjs'], project(), { STATEFORK_CMD_ARGS: '--timeout none' });
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([
      "statefork: STATEFORK_CMD_ARGS: error: option '-t, --timeout <seconds>' argument 'none' is invalid. expected a number of seconds, 0 or more (e.g. --timeout 30)",
    ]);
    // --workers is checked with the rest (it takes MIN:MAX too): the variable is named all the same.
    const w = await run(['./app.cjs'], project(), { STATEFORK_CMD_ARGS: '--workers none' });
    expect(w.lines).toEqual([
      "statefork: error: invalid --workers 'none' in STATEFORK_CMD_ARGS: expected a whole number of 1 or more, or MIN:MAX for an adaptive count (e.g. --workers 4, --workers 2:8, --workers 2:auto)",
    ]);
  });

  it('--check-config: 0 when the config and the app load, 4 naming the problem when the app does not', async () => {
    const cwd = project('statefork.config.json', '{ "app": "./app.cjs" }');
    const ok = await run(['--check-config'], cwd);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^configuration and app are fine: \.\/app\.cjs \(config file .*\)\n$/);
    writeFileSync(join(cwd, 'app.cjs'), "throw new Error('no database');\n");
    const bad = await run(['--check-config'], cwd);
    expect(bad.code).toBe(4);
    expect(bad.lines).toEqual([expect.stringMatching(/^statefork: error: .*app\.cjs threw while loading: no database$/)]);
  });
});

describe('configuration on HUP', () => {
  it('is re-read: a new worker count applies; a broken file is logged and the old configuration kept', async () => {
    const cwd = project('statefork.config.mjs', "export default { app: './app.cjs', workers: 1, bind: '127.0.0.1:0' };\n");
    const m = await startServing([], { cwd });
    writeFileSync(join(cwd, 'statefork.config.mjs'), "export default { app: './app.cjs', workers: 2, bind: '127.0.0.1:0' };\n");
    let from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    await eventually(() => m.workerPids().length === 2, 10_000, 'the old worker to leave');
    writeFileSync(join(cwd, 'statefork.config.mjs'), 'export default { workers: 0 ');
    from = m.records.length;
    m.signal('SIGHUP');
    const failed = await m.waitFor((x) => /^configuration failed to load: config file .* does not load/.test(x.msg ?? ''), { from });
    expect(failed.level).toBe(50);
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    expect(m.workerPids()).toHaveLength(2);
    expect((await get(`${m.url()}/`)).status).toBe(200);
    writeFileSync(join(cwd, 'statefork.config.mjs'), "export default { app: './app.cjs', workers: 0 };\n");
    from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor((x) => /^configuration failed to load: invalid workers '0' in config file/.test(x.msg ?? ''), { from });
    expect(m.child.exitCode).toBeNull();
  });
});
