/**
 * Every option means the same from each of its three sources: the command line, the
 * STATEFORK_CMD_ARGS variable and the configuration file. The effective configuration
 * (--print-config, the exact values the master and workers run with) must be identical, and
 * every row must name the source it came from.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, startCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'statefork-sources-'));
for (const f of ['cert.pem', 'key.pem', 'ca.pem', 'extra.txt']) writeFileSync(join(dir, f), 'x\n');
const p = (f: string) => join(dir, f);

/** Every option, as a config key and value, and as command-line words. */
const OPTIONS: Array<[key: string, value: unknown, flags: string[]]> = [
  ['app', join(APPS, 'hello.cjs'), [join(APPS, 'hello.cjs')]],
  ['bind', ['127.0.0.1:9001', `proxy:unix:${p('s.sock')}`], ['-b', '127.0.0.1:9001', '--bind', `proxy:unix:${p('s.sock')}`]],
  ['forwardedAllowIps', '10.0.0.0/8,fd00::/8', ['--forwarded-allow-ips', '10.0.0.0/8,fd00::/8']],
  ['proxyHeaderTimeout', 2.5, ['--proxy-header-timeout', '2.5']],
  ['workers', 3, ['-w', '3']],
  ['maxWorkers', 40, ['--max-workers', '40']],
  ['scaleUpElu', 0.7, ['--scale-up-elu', '0.7']],
  ['scaleDownElu', 0.1, ['--scale-down-elu', '0.1']],
  ['scaleUpAfter', 2, ['--scale-up-after', '2']],
  ['scaleUpQueue', 16, ['--scale-up-queue', '16']],
  ['scaleDownAfter', 7, ['--scale-down-after', '7']],
  ['scaleCooldown', 20, ['--scale-cooldown', '20']],
  ['bootNice', 5, ['--boot-nice', '5']],
  ['timeout', 12, ['-t', '12']],
  ['gracefulTimeout', 13, ['--graceful-timeout', '13']],
  ['bootTimeout', 14, ['--boot-timeout', '14']],
  ['drainDelay', 3, ['--drain-delay', '3']],
  ['keepAlive', 2.5, ['--keep-alive', '2.5']],
  ['maxHeaderSize', 8192, ['--max-header-size', '8192']],
  ['headersTimeout', 20, ['--headers-timeout', '20']],
  ['requestTimeout', 40, ['--request-timeout', '40']],
  ['maxRequests', 100, ['--max-requests', '100']],
  ['maxRequestsJitter', 10, ['--max-requests-jitter', '10']],
  ['maxMemory', 512, ['--max-memory', '512']],
  ['workerTmpDir', dir, ['--worker-tmp-dir', dir]],
  ['env', ['A=1', 'B=two=2'], ['-e', 'A=1', '--env', 'B=two=2']],
  ['import', [join(APPS, 'preload', 'mark.mjs')], ['--import', join(APPS, 'preload', 'mark.mjs')]],
  ['require', [join(APPS, 'preload', 'mark.cjs')], ['--require', join(APPS, 'preload', 'mark.cjs')]],
  ['nodeOption', ['--max-old-space-size=100', '--enable-source-maps'], ['--node-option', '--max-old-space-size=100', '--node-option=--enable-source-maps']],
  ['umask', '027', ['-m', '027']],
  ['logFileMode', '0600', ['--log-file-mode', '0600']],
  ['chdir', dir, ['--chdir', dir]],
  // This process's own identity: valid without root, wherever the tests run.
  ['user', String(process.getuid!()), ['-u', String(process.getuid!())]],
  ['group', String(process.getgid!()), ['-g', String(process.getgid!())]],
  ['pid', p('app.pid'), ['-p', p('app.pid')]],
  ['name', 'api', ['-n', 'api']],
  ['logLevel', 'warn', ['--log-level', 'warn']],
  ['errorLog', p('error.log'), ['--error-log', p('error.log')]],
  ['accessLog', p('access.log'), ['--access-log', p('access.log')]],
  ['accessLogFormat', 'json', ['--access-log-format', 'json']],
  ['certfile', p('cert.pem'), ['--certfile', p('cert.pem')]],
  ['http2', true, ['--http2']],
  ['keyfile', p('key.pem'), ['--keyfile', p('key.pem')]],
  ['caCerts', p('ca.pem'), ['--ca-certs', p('ca.pem')]],
  ['captureOutput', true, ['--capture-output']],
  ['workerLogRate', '100:1MiB', ['--worker-log-rate', '100:1MiB']],
  ['daemon', true, ['--daemon']],
  ['upgradeAuto', true, ['--upgrade-auto']],
  ['hangStacks', false, ['--no-hang-stacks']],
  ['reload', true, ['--reload']],
  ['reloadExtraFile', [p('extra.txt')], ['--reload-extra-file', p('extra.txt')]],
  ['inspector', '127.0.0.1:7801', ['--inspector', '127.0.0.1:7801']],
  ['inspectorControls', true, ['--inspector-controls']],
  ['inspectorTokenFile', p('token'), ['--inspector-token-file', p('token')]],
  ['controlSocket', p('app.ctl'), ['--control-socket', p('app.ctl')]],
  ['metrics', '127.0.0.1:9109', ['--metrics', '127.0.0.1:9109']],
  ['health', '127.0.0.1:9119', ['--health', '127.0.0.1:9119']],
  ['record', p('steps.jsonl'), ['--record', p('steps.jsonl')]],
  ['inspectStately', 'ws://127.0.0.1:9', ['--inspect-stately', 'ws://127.0.0.1:9']],
];

/** reusePort is refused on the Node 20 this suite runs on (reuse-port.test.ts covers it on 22). */
const NOT_HERE = ['reusePort'];

async function printConfig(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Array<[string, string, string]>> {
  const r = startCli(['--print-config', ...args], { cwd, env });
  const { code } = await r.exited;
  expect(code, r.stderrText()).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/) as [string, string, string])
    .filter(([k]) => !NOT_HERE.includes(k));
}

describe('every option, from every source', () => {
  it('the command line, STATEFORK_CMD_ARGS and the config file give the same configuration', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'statefork-sources-cwd-'));
    const withFile = mkdtempSync(join(tmpdir(), 'statefork-sources-cwd-'));
    writeFileSync(join(withFile, 'statefork.config.json'), JSON.stringify(Object.fromEntries(OPTIONS.map(([k, v]) => [k, v]))));
    const words = OPTIONS.flatMap(([, , flags]) => flags);
    const fromFlags = await printConfig(empty, words);
    const fromEnv = await printConfig(empty, [], { STATEFORK_CMD_ARGS: words.join(' ') });
    const fromFile = await printConfig(withFile, []);

    const values = (rows: Array<[string, string, string]>) => rows.map(([k, v]) => [k, v]);
    expect(values(fromEnv)).toEqual(values(fromFlags));
    expect(values(fromFile)).toEqual(values(fromFlags));
    // Every option is printed (the extra reload files in the reload row), none was left at its
    // default, and each names its source.
    expect(fromFlags.map(([k]) => k).sort()).toEqual(
      OPTIONS.map(([k]) => k)
        .filter((k) => k !== 'reloadExtraFile')
        .sort(),
    );
    expect(fromFlags.find(([k]) => k === 'reload')![1]).toBe(`on, ${p('extra.txt')}`);
    for (const rows of [fromFlags, fromEnv, fromFile]) expect(rows.filter(([, , source]) => source === 'default')).toEqual([]);
    expect(new Set(fromFlags.map(([, , s]) => s))).toEqual(new Set(['command line']));
    expect(new Set(fromEnv.map(([, , s]) => s))).toEqual(new Set(['STATEFORK_CMD_ARGS']));
    expect(new Set(fromFile.map(([, , s]) => s))).toEqual(new Set([`config file ${join(withFile, 'statefork.config.json')}`]));
  });
});
