import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { APPS, CLI, NODE, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = startCli(args, { env });
  const { code } = await r.exited;
  return { code, lines: r.stderrText().trim().split('\n'), stdout: r.stdout };
}

describe('command line: bad input gets one line and a documented exit code', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['unknown option', ['--nope', 'hello.cjs'], 2, /^statefork: error: unknown option '--nope' \(Did you mean --name\?\)$/],
    [
      'non-numeric workers',
      ['-w', 'abc', 'hello.cjs'],
      2,
      /^statefork: error: invalid --workers 'abc': expected a whole number of 1 or more, or MIN:MAX for an adaptive count \(e\.g\. --workers 4, --workers 2:8, --workers 2:auto\)$/,
    ],
    ['zero workers', ['-w', '0', 'hello.cjs'], 2, /^statefork: error: invalid --workers '0': expected a whole number of 1 or more/],
    ['MAX below MIN', ['-w', '4:2', 'hello.cjs'], 2, /^statefork: error: invalid --workers '4:2': MAX \(2\) is below MIN \(4\); give MIN:MAX with MIN <= MAX$/],
    ['negative timeout', ['--timeout', '-1', 'hello.cjs'], 2, /--timeout <seconds>' argument '-1' is invalid\. expected a number of seconds, 0 or more/],
    [
      'bind without port',
      ['-b', 'localhost', 'hello.cjs'],
      2,
      /^statefork: error: invalid --bind 'localhost': no port given; expected HOST:PORT, \[IPV6\]:PORT, unix:PATH or fd:\/\/N/,
    ],
    ['port out of range', ['-b', '127.0.0.1:99999', 'hello.cjs'], 2, /invalid --bind '127\.0\.0\.1:99999': port 99999 is above 65535/],
    ['unbracketed IPv6', ['-b', '::1:80', 'hello.cjs'], 2, /an IPv6 address must be in brackets/],
    [
      'health address without a port',
      ['--health', 'localhost', 'hello.cjs'],
      2,
      /^statefork: error: invalid --health 'localhost': expected HOST:PORT or PORT \(e\.g\. --health 127\.0\.0\.1:9101\)$/,
    ],
    ['health port out of range', ['--health', '70000', 'hello.cjs'], 2, /^statefork: error: invalid --health '70000': expected HOST:PORT or PORT/],
    ['no app', [], 2, /^statefork: error: no app given: pass the path of a module .* or set app in the config file$/],
    ['bad log level', ['--log-level', 'loud', 'hello.cjs'], 2, /argument 'loud' is invalid\. Allowed choices are trace, debug/],
    ['bad WEB_CONCURRENCY', ['hello.cjs'], 2, /^statefork: error: invalid WEB_CONCURRENCY 'many': expected a whole number of 1 or more, or unset it$/],
    [
      'unusable worker tmp dir',
      ['--worker-tmp-dir', '/nonexistent/dir', '-b', '127.0.0.1:0', 'hello.cjs'],
      1,
      /^statefork: error: cannot create heartbeat files in --worker-tmp-dir \/nonexistent\/dir: ENOENT; give a writable directory/,
    ],
    [
      'unwritable pidfile',
      ['-p', '/nonexistent/dir/app.pid', '-b', '127.0.0.1:0', 'hello.cjs'],
      1,
      /^statefork: error: cannot write pidfile \/nonexistent\/dir\/app\.pid: .*choose a writable --pid path$/,
    ],
  ];
  for (const [name, args, code, line] of cases) {
    it(`${name}: exit ${code}`, async () => {
      const r = await run(args, name === 'bad WEB_CONCURRENCY' ? { WEB_CONCURRENCY: 'many' } : {});
      expect(r.code).toBe(code);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(line);
    });
  }

  it('a privileged port as non-root: exit 1 naming the fix', async () => {
    // Root may bind any port: as root, run the CLI without CAP_NET_BIND_SERVICE (util-linux setpriv).
    const argv = [NODE, CLI, '-b', '127.0.0.1:80', join(APPS, 'hello.cjs')];
    const [cmd, ...args] = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-net_bind_service', ...argv] : argv;
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(1);
    expect(stderr).toBe(
      'statefork: error: cannot bind 127.0.0.1:80: permission denied; ports below 1024 need root or CAP_NET_BIND_SERVICE, so choose a port above 1023\n',
    );
  });

  it('malformed HTTP gets 400 from the worker, which keeps serving', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs']);
    const { port, hostname } = new URL(m.url());
    for (const garbage of ['NOT HTTP AT ALL\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 'GET /\x00 HTTP/1.1\r\n\r\n']) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), hostname, () => socket.end(garbage));
        let data = '';
        socket.on('data', (d) => {
          data += d;
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
      expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    }
    const [worker] = m.workerPids();
    const r = await get(`${m.url()}/`);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`from ${worker}`);
  });

  it('a port in use is retried, then exit 1 with one line naming the fix', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => blocker.once('listening', ok));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = startCli(['-b', `127.0.0.1:${port}`, 'hello.cjs']);
    const { code } = await r.exited;
    blocker.close();
    expect(code).toBe(1);
    expect(r.records.filter((x) => /address in use, retrying/.test(x.msg ?? ''))).toHaveLength(4);
    expect(r.records.at(-1)?.raw).toBe(
      `statefork: error: cannot bind 127.0.0.1:${port}: the address is in use (tried 5 times); stop the other server or choose another --bind`,
    );
  });

  it('--version and --help exit 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--config',
      '--print-config',
      '--check-config',
      '--max-header-size',
      '--headers-timeout',
      '--request-timeout',
      '--inspector',
      '--record',
      '--inspect-stately',
      '--access-log',
      '--access-log-format',
      '--certfile',
      '--keyfile',
      '--ca-certs',
      '--capture-output',
      '--reload',
      '--reload-extra-file',
      '--workers',
      '--bind',
      '--timeout',
      '--graceful-timeout',
      '--boot-timeout',
      '--keep-alive',
      '--worker-tmp-dir',
      '--pid',
      '--name',
      '--log-level',
      '--error-log',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });
});

describe('command line: defaults and files', () => {
  it('takes the worker count from WEB_CONCURRENCY and the port from PORT', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => probe.once('listening', ok));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    const m = await startServing(['hello.cjs'], { env: { WEB_CONCURRENCY: '3', PORT: String(port) } });
    expect(m.url()).toBe(`http://0.0.0.0:${port}`);
    expect(m.workerPids()).toHaveLength(3);
    expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('writes the pidfile, refuses a second master on it, and removes it on exit', async () => {
    const pidfile = join(mkdtempSync(join(tmpdir(), 'statefork-')), 'app.pid');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-p', pidfile, 'hello.cjs']);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${m.pid}\n`);
    const second = await run(['-w', '1', '-b', '127.0.0.1:0', '-p', pidfile, 'hello.cjs']);
    expect(second.code).toBe(1);
    expect(second.lines.at(-1)).toBe(`statefork: error: pidfile ${pidfile} names running process ${m.pid}; stop it first or choose another --pid`);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });

  it("replaces a stale pidfile: its process gone, or its pid now another program's", async () => {
    const pidfile = join(mkdtempSync(join(tmpdir(), 'statefork-')), 'app.pid');
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(pidfile, `${other.pid}\n`);
      const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-p', pidfile, 'hello.cjs']);
      expect(readFileSync(pidfile, 'utf8')).toBe(`${m.pid}\n`);
      expect(m.records.find((r) => r.pidfile === pidfile)).toMatchObject({ level: 40, stalePid: other.pid });
      m.signal('SIGTERM');
      expect((await m.exited).code).toBe(0);
    } finally {
      other.kill();
    }
    writeFileSync(pidfile, '999999\n'); // no such process
    const again = await startServing(['-w', '1', '-b', '127.0.0.1:0', '-p', pidfile, 'hello.cjs']);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${again.pid}\n`);
  });

  it('USR1 reopens --error-log in the master and every worker, after logrotate moved it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-'));
    const file = join(dir, 'error.log');
    const m = startCli(['-w', '2', '-b', '127.0.0.1:0', '--error-log', file, 'hello.cjs']);
    const { eventually } = await import('../helpers/cli.js');
    await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('serving.running'), 15_000, 'the master to serve');
    renameSync(file, `${file}.1`);
    m.signal('SIGUSR1');
    const lines = () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .slice(0, -1)
            .map((l) => JSON.parse(l))
        : []; // complete lines only: a worker may be writing
    await eventually(() => lines().filter((r) => r.msg === 'log file reopened').length === 2, 10_000, 'both workers to reopen the log');
    expect(lines().some((r) => r.role === 'master' && r.msg === 'log files reopened')).toBe(true);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(lines().some((r) => r.msg === 'halted')).toBe(true); // nothing went to the moved file
  });

  it('--capture-output turns what workers print into records of the error log', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-')), 'error.log');
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--error-log', file, '--capture-output', 'chatty.cjs']);
    const { eventually } = await import('../helpers/cli.js');
    const records = () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .slice(0, -1)
            .map((l) => JSON.parse(l))
        : []; // complete lines only: a worker may be writing
    await eventually(() => records().some((r) => r.to === 'serving.running'), 15_000, 'the master to serve');
    const url = records().find((r) => r.url)!.url;
    await get(`${url}/x`);
    await eventually(() => records().some((r) => r.msg === 'chatty request /x'), 5000, 'the stderr line');
    const printed = records().filter((r) => r.stream);
    expect(printed.map((r) => [r.stream, r.msg, r.role])).toEqual([
      ['stdout', 'chatty app loaded', 'master'],
      ['stderr', 'chatty request /x', 'master'],
    ]);
    expect(printed.every((r) => r.worker === 1 && typeof r.workerPid === 'number')).toBe(true);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('--error-log FILE receives the master and worker records', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-')), 'error.log');
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--error-log', file, 'hello.cjs']);
    const { eventually } = await import('../helpers/cli.js');
    await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('serving.running'), 15_000, 'the log file to show the master serving');
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    const roles = new Set(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).role),
    );
    expect([...roles].sort()).toEqual(['master', 'worker']);
  });
});

describe('command line: the Node it runs on', () => {
  // The machines' system Node is 20.20 (end of life): a real old Node, not a faked version.
  const OLD_NODE = '/usr/bin/node';

  it('an unsupported Node (20): one line naming it and the supported lines, exit 2, nothing started', async () => {
    const version = execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    expect(Number(version.split('.')[0])).toBeLessThan(22);
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { node: OLD_NODE });
    expect((await m.exited).code).toBe(2);
    expect(m.stderrText().trim().split('\n')).toEqual([
      `statefork: error: statefork needs Node 22 (from 22.12), 24 or 26; this is Node ${version}, which it does not support (Node 20 reached its end of life on 2026-04-30): run it with a supported Node`,
    ]);
    expect(m.stdout).toBe('');
  });
});
