/**
 * The second round of attacks, each by a real app running as nobody under a root master
 * (fixtures/apps/hostile.cjs) or on the master's own terminal:
 *  - it looks for the dashboard's controls token in every file, environment and argv it can reach;
 *  - it floods its log pipe and its watchdog channel (the master must stay under 20% of a core);
 *  - it hangs in a function whose name is terminal escapes, under a title of escapes, and the
 *    operator's `statefork workers`, `status`, the dashboard's data and the logs show escapes.
 * The control: each attack is also shown to reach what it aims at (the token works when given,
 * the flood does arrive, the escapes are in the stack), so a pass is the guard's doing.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, eventually, startCli, type Rec, type Running } from '../helpers/cli.js';
import { freePorts, get } from '../helpers/http.js';

const isRoot = process.getuid?.() === 0;

const records = (file: string): Rec[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        })
    : [];

/** A directory every user may enter, as /var/log is: only a file's own mode keeps a reader out. */
function openDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-hostile-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function serving(args: string[], errorLog: string): Promise<{ m: Running; url: string; port: number }> {
  const [port] = await freePorts(1);
  const m = startCli(['-u', 'nobody', '-b', `127.0.0.1:${port}`, '--error-log', errorLog, ...args, 'hostile.cjs']);
  await eventually(() => records(errorLog).some((r) => /^ready: every worker/.test(r.msg ?? '')), 20_000, 'the first generation');
  return { m, url: `http://127.0.0.1:${port}`, port };
}

async function control(command: string, m: Running, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startCli([command, '--control-socket', `/run/statefork/${m.pid}.sock`, ...args]);
  const { code } = await r.exited;
  return { code, stdout: r.stdout, stderr: r.stderrText() };
}

const json = async (url: string) => JSON.parse((await get(url, { timeoutMs: 10_000 })).body);

/** The master's CPU time, in seconds (user + system, /proc/<pid>/stat). */
const cpuSeconds = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

function postControl(port: number, token: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/control',
        method: 'POST',
        headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'x-statefork-token': token },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe.runIf(isRoot)("a worker cannot find the dashboard's token", () => {
  it("not in the error log (0640, no token), the token file (0600), the master's environment or argv, or its own environment", async () => {
    const dir = openDir();
    const errorLog = join(dir, 'error.log');
    const tokenFile = join(dir, 'token');
    const [inspector] = await freePorts(1);
    const { m, url } = await serving(
      ['-w', '1', '--inspector', `127.0.0.1:${inspector}`, '--inspector-controls', '--inspector-token-file', tokenFile],
      errorLog,
    );
    const said = await control('dashboard-url', m);
    expect(said.code).toBe(0);
    const token = /^http:\/\/127\.0\.0\.1:\d+\/#token=([0-9a-f]{32})\n$/.exec(said.stdout)?.[1] ?? '';
    expect(said.stdout).toBe(`http://127.0.0.1:${inspector}/#token=${token}\n`);
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect([statSync(tokenFile).mode & 0o777, statSync(tokenFile).uid]).toEqual([0o600, 0]);
    expect(statSync(errorLog).mode & 0o777).toBe(0o640);
    const log = readFileSync(errorLog, 'utf8');
    expect(log).not.toContain(token);
    expect(records(errorLog).find((r) => r.inspectorControls)?.msg).toBe(
      `inspector controls on at http://127.0.0.1:${inspector}/: each control request needs this run's token (statefork dashboard-url prints the page's address with it; it is also in ${tokenFile} (mode 0600))`,
    );
    // The app, as nobody, tries everything it can name.
    for (const path of [errorLog, tokenFile, `/proc/${m.pid}/environ`]) {
      expect(await json(`${url}/steal?path=${encodeURIComponent(path)}`), path).toEqual({ error: 'EACCES' });
    }
    const cmdline = await json(`${url}/steal?path=/proc/${m.pid}/cmdline`);
    expect(cmdline.read).toMatch(/^statefork: master/); // it can read argv (the title): the token is not there
    expect(cmdline.read).not.toContain(token);
    expect(JSON.stringify(await json(`${url}/env`))).not.toContain(token);
    // The token is the real one: given, it works.
    const ok = await postControl(inspector, token, { command: 'scale', args: { workers: '+1' } });
    expect([ok.status, JSON.parse(ok.body).ok]).toEqual([200, true]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('--log-file-mode sets the mode of the log files statefork creates; a bad mode is one line, exit 2', async () => {
    const dir = openDir();
    const errorLog = join(dir, 'error.log');
    const accessLog = join(dir, 'access.log');
    const { m } = await serving(['-w', '1', '--log-file-mode', '0600', '--access-log', accessLog], errorLog);
    expect([statSync(errorLog).mode & 0o777, statSync(accessLog).mode & 0o777, statSync(accessLog).uid]).toEqual([0o600, 0o600, 65534]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    for (const [mode, shown] of [
      ['0755', '0755'],
      ['abc', 'abc'],
      ['01666', '01666'],
    ]) {
      const r = startCli(['-b', '127.0.0.1:0', '--log-file-mode', mode, 'hello.cjs']);
      expect([(await r.exited).code, r.stderrText()]).toEqual([
        2,
        `statefork: error: invalid --log-file-mode '${shown}': expected an octal file mode without execute bits, at most 0666 (e.g. --log-file-mode 0640)\n`,
      ]);
    }
    const orphanFile = startCli(['-b', '127.0.0.1:0', '--inspector-token-file', join(dir, 't'), 'hello.cjs']);
    expect([(await orphanFile.exited).code, orphanFile.stderrText()]).toEqual([
      2,
      'statefork: error: invalid --inspector-token-file: it holds the token of --inspector-controls; give --inspector-controls too, or drop it\n',
    ]);
  });
});

describe.runIf(isRoot)('a worker that floods its channels costs the master little', () => {
  const FLOOD_S = 5;

  it('60 KiB log records in a loop: at most --worker-log-rate reaches the log, one record a second says what was dropped, the master stays under 20% of a core', async () => {
    const dir = openDir();
    const errorLog = join(dir, 'error.log');
    const [metrics] = await freePorts(1);
    const { m, url } = await serving(['-w', '1', '--metrics', `127.0.0.1:${metrics}`], errorLog);
    const [cpu0, size0, at0] = [cpuSeconds(m.pid), statSync(errorLog).size, performance.now()];
    const flood = await json(`${url}/flood-log?s=${FLOOD_S}`);
    const [cpu1, size1, seconds] = [cpuSeconds(m.pid), statSync(errorLog).size, (performance.now() - at0) / 1000];
    expect(flood.written).toBeGreaterThan(60); // the worker did write: more than one second's share
    expect((cpu1 - cpu0) / seconds).toBeLessThan(0.2);
    // The default rate, 4 MiB a second, and one second's share more (the second that was open).
    expect(size1 - size0).toBeLessThan(4 * 1024 * 1024 * (seconds + 1));
    await eventually(() => records(errorLog).some((r) => r.event === 'log-dropped'), 5000, 'the dropped record');
    const dropped = records(errorLog).filter((r) => r.event === 'log-dropped');
    expect(dropped[0]).toMatchObject({
      level: 40,
      role: 'master',
      worker: 1,
      msg: expect.stringMatching(/^\d+ log records? \(\d+ bytes\) of worker 1 dropped: over --worker-log-rate 5000:4194304 a second$/),
    });
    const scrape = (await get(`http://127.0.0.1:${metrics}/metrics`)).body;
    const counted = Number(/^statefork_worker_log_dropped_records_total (\d+)$/m.exec(scrape)?.[1]);
    expect(counted).toBe(dropped.reduce((n, r) => n + r.dropped, 0));
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('valid 60 KiB hang stacks in a loop: one read per stall, the worker waits on its own pipe, the master stays under 20% of a core', async () => {
    const dir = openDir();
    const errorLog = join(dir, 'error.log');
    const [metrics] = await freePorts(1);
    // --timeout 20: a stack is due at most every 10 s, and the worker is not aborted within the flood.
    const { m, url } = await serving(['-w', '1', '--timeout', '20', '--metrics', `127.0.0.1:${metrics}`], errorLog);
    const [cpu0, at0] = [cpuSeconds(m.pid), performance.now()];
    void get(`${url}/flood-stacks?s=${FLOOD_S}`, { timeoutMs: 30_000 }).catch(() => {});
    await new Promise((ok) => setTimeout(ok, FLOOD_S * 1000)); // the flood's own length: what is measured
    const [cpu1, seconds] = [cpuSeconds(m.pid), (performance.now() - at0) / 1000];
    expect((cpu1 - cpu0) / seconds).toBeLessThan(0.2);
    const scrape = (await get(`http://127.0.0.1:${metrics}/metrics`)).body;
    expect(scrape).toMatch(/^statefork_watchdog_messages_dropped_total \d+$/m);
    m.signal('SIGQUIT');
    await m.exited;
  });
});

describe.runIf(isRoot)('what a worker writes reaches the operator escaped', () => {
  it("a hang in a function named with terminal escapes: statefork workers, status, the dashboard's data and the log show them as text", async () => {
    const dir = openDir();
    const errorLog = join(dir, 'error.log');
    const [inspector] = await freePorts(1);
    const { m, url } = await serving(['-w', '1', '--timeout', '2', '--inspector', `127.0.0.1:${inspector}`], errorLog);
    void get(`${url}/evil-hang`, { timeoutMs: 20_000 }).catch(() => {});
    await eventually(() => records(errorLog).some((r) => r.event === 'hung'), 15_000, 'the hung record');
    const hung = records(errorLog).find((r) => r.event === 'hung')!;
    // The stack is the real one, taken by the watchdog: the attack reached the record.
    expect(hung.stack[0]).toMatch(/^\\x1b\]0;owned\\x07\\x1b\[2J\\x1b\[31mred\\x0aworker 9 \(pid 1\) fake line \\u\{202e\} file:\/\/.*hostile\.cjs:\d+:\d+$/);
    const rawControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    expect(readFileSync(errorLog, 'utf8')).not.toMatch(/[\u007f-\u009f\u202e]/); // JSON escapes C0 itself
    expect(hung.threads.find((t: Rec) => t.tid === hung.workerPid).name).toMatch(/^\\x1b\]0;owned/);
    for (const command of ['workers', 'status']) {
      const out = await control(command, m);
      expect(out.code).toBe(0);
      expect(out.stdout, command).not.toMatch(rawControls);
      expect(out.stdout.split('\n').some((line) => line.startsWith('worker 9'))).toBe(false);
      expect(out.stdout).toContain('\\x1b]0;owned\\x07');
    }
    const page = await json(`http://127.0.0.1:${inspector}/hang`);
    expect(page.stack[0]).toBe(hung.stack[0]);
    expect(JSON.stringify(page)).not.toMatch(/\\u001b|\\n/);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it("on a terminal (pino-pretty), a worker's record shows its escapes as text", async () => {
    const [port] = await freePorts(1);
    // script(1) gives the master a terminal; the worker logs a record whose message is escapes.
    const dir = openDir();
    const [out, pidfile] = [join(dir, 'terminal'), join(dir, 'master.pid')];
    const r = startCli(['-q', '-e', '-f', '-c', `${process.execPath} ${CLI} -w 1 -b 127.0.0.1:${port} --pid ${pidfile} --timeout 2 hostile.cjs`, out], {
      command: ['script'],
    });
    await eventually(() => existsSync(out) && /ready: every worker/.test(readFileSync(out, 'utf8')), 20_000, 'the master ready');
    void get(`http://127.0.0.1:${port}/evil-hang`, { timeoutMs: 20_000 }).catch(() => {});
    await eventually(() => /hung/.test(readFileSync(out, 'utf8')), 15_000, 'the hang on the terminal');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('\\x1b]0;owned');
    expect(text).not.toContain('\u001b]0;owned');
    expect(text).not.toContain('\u001b[2J');
    expect(text).not.toContain('\u202e');
    process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGTERM');
    expect((await r.exited).code).toBe(0);
  });
});
