/**
 * Files are never handed over by path, a full disk never stops serving, and log rotation works
 * with and without `create` (hardening, items 2, 4, 5), for real: the master runs as root, the
 * workers as nobody, and an attacker who is nobody plants symbolic links in the log directory
 * the workers share. The disk is a real 256 KiB tmpfs; the rotations are logrotate's own.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, isAlive, refusal, startCli, type Rec } from '../helpers/cli.js';
import { freePort, get } from '../helpers/http.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A log directory the workers' user can write (the mistake an attacker needs), and a root-only secret elsewhere. */
function setting(): { dir: string; secret: string; secretState: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-logs-'));
  chownSync(dir, NOBODY, NOBODY);
  const vault = mkdtempSync(join(tmpdir(), 'statefork-vault-'));
  const secret = join(vault, 'shadow');
  writeFileSync(secret, 'root:secret\n', { mode: 0o600 });
  const secretState = () => {
    const st = statSync(secret);
    return `${st.uid}:${st.gid}:${(st.mode & 0o777).toString(8)}:${readFileSync(secret, 'utf8')}`;
  };
  return { dir, secret, secretState };
}

/** What nobody does in the shared directory: a command run as that user. */
const asNobody = (cmd: string, ...args: string[]) => execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', cmd, ...args]);

const records = (file: string): Rec[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [{ torn: l }]; // asserted against where it matters
          }
        })
    : [];

async function serving(args: string[], errorLog: string) {
  const port = await freePort();
  const m = startCli(['-u', 'nobody', '-w', '2', '-b', `127.0.0.1:${port}`, '--error-log', errorLog, ...args, 'hello.cjs']);
  await eventually(() => records(errorLog).some((r) => /^ready: every worker/.test(r.msg ?? '')), 20_000, 'the first generation');
  return { m, url: `http://127.0.0.1:${port}` };
}

describe.runIf(isRoot)('files are never handed over by path', () => {
  for (const option of ['--access-log', '--error-log', '--record'] as const) {
    it(`${option} planted as a link to a root-only file: refused in one line, the file untouched`, async () => {
      const { dir, secret, secretState } = setting();
      const before = secretState();
      asNobody('ln', '-s', secret, join(dir, 'x.log'));
      const { code, lines } = await refusal(['-u', 'nobody', '-b', '127.0.0.1:0', option, join(dir, 'x.log'), 'hello.cjs']);
      expect(code).toBe(1);
      expect(lines).toEqual([
        `statefork: error: cannot open ${option} ${join(dir, 'x.log')}: it is a symbolic link, and statefork does not follow links for files it writes; give the real path`,
      ]);
      expect(secretState()).toBe(before);
    });
  }

  it('a fifo or a directory as a log: refused in one line, nothing waits for a reader', async () => {
    const { dir } = setting();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'sub'));
    for (const [name, kind] of [
      ['fifo', 'a fifo or a device'],
      ['sub', 'a directory'],
    ]) {
      const { code, lines } = await refusal(['-b', '127.0.0.1:0', '--access-log', join(dir, name), 'hello.cjs']);
      expect(code).toBe(1);
      expect(lines).toEqual([
        `statefork: error: cannot use --access-log ${join(dir, name)}: it is ${kind}, statefork writes only regular files; give a file path`,
      ]);
      expect(existsSync(join(dir, name))).toBe(true);
    }
  });

  it('links swapped in before USR1 (logrotate moved the files): the reopen refuses them and keeps the old files; the secret is untouched', async () => {
    const { dir, secret, secretState } = setting();
    const before = secretState();
    const [errorLog, accessLog] = [join(dir, 'error.log'), join(dir, 'access.log')];
    const { m, url } = await serving(['--access-log', accessLog], errorLog);
    // The master's own log stays root's; the access log is given to nobody, through its fd.
    expect([statSync(errorLog).uid, statSync(accessLog).uid]).toEqual([0, NOBODY]);
    expect((await get(`${url}/`)).status).toBe(200);
    for (const f of ['error.log', 'access.log']) {
      asNobody('mv', join(dir, f), join(dir, `${f}.1`));
      asNobody('ln', '-s', secret, join(dir, f));
    }
    m.signal('SIGUSR1');
    const old = join(dir, 'error.log.1');
    await eventually(() => records(old).filter((r) => r.msg === 'log file reopened').length >= 2, 20_000, 'both workers reopened');
    expect(records(old).find((r) => /cannot open --error-log .*symbolic link.*still writing to the file open before$/.test(r.msg ?? ''))).toMatchObject({
      level: 50,
    });
    expect(records(old).find((r) => /cannot open --access-log .*symbolic link.*the workers keep the file open before$/.test(r.msg ?? ''))).toMatchObject({
      level: 50,
    });
    expect((await get(`${url}/after`)).status).toBe(200);
    await eventually(() => readFileSync(join(dir, 'access.log.1'), 'utf8').includes('GET /after'), 10_000, 'the line in the old access log');
    expect(secretState()).toBe(before);
    expect(lstatSync(join(dir, 'access.log')).isSymbolicLink()).toBe(true);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(secretState()).toBe(before);
  });

  it('the pidfile is a link to the secret: replaced by a regular file, the secret untouched, no temporary file left', async () => {
    const { dir, secret, secretState } = setting();
    const before = secretState();
    const pidfile = join(dir, 'app.pid');
    asNobody('ln', '-s', secret, pidfile);
    const errorLog = join(dir, 'error.log');
    const { m } = await serving(['-p', pidfile], errorLog);
    expect(lstatSync(pidfile).isFile()).toBe(true);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${m.pid}\n`);
    expect(secretState()).toBe(before);
    expect(readdirSync(dir).filter((f) => f.includes('tmp'))).toEqual([]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
  });
});

const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts)
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      /* gone */
    }
});

/** A real, small, full-able filesystem. */
function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0777', 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

function fill(dir: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // "No space left on device": full, as meant
  }
}

describe.runIf(isRoot)('a full disk never stops serving', () => {
  it('error and access logs on a full disk: every request answered, failures counted, one warning when space returns', async () => {
    const disk = smallDisk();
    const [errorLog, accessLog] = [join(disk, 'error.log'), join(disk, 'access.log')];
    const metrics = await freePort();
    const { m, url } = await serving(['--access-log', accessLog, '--log-level', 'debug', '--metrics', `127.0.0.1:${metrics}`], errorLog);
    fill(disk);
    // Requests (access lines, worker records) and signals (master records) on a full disk.
    for (let i = 0; i < 50; i++) expect((await get(`${url}/`)).status).toBe(200);
    for (const sig of ['SIGTTIN', 'SIGTTOU', 'SIGHUP'] as const) m.signal(sig);
    const scrape = async () => (await get(`http://127.0.0.1:${metrics}/metrics`)).body;
    const failures = (text: string, log: string) => Number(new RegExp(`^statefork_log_write_failures_total\\{log="${log}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    let text = '';
    // The workers report their counts once a heartbeat, when they moved: wait for them, to a deadline.
    const deadline = Date.now() + 15_000;
    while (!(failures(text, 'error') > 0 && failures(text, 'access') > 0) && Date.now() < deadline) {
      await get(`${url}/`);
      text = await scrape();
      await new Promise((ok) => setTimeout(ok, 25));
    }
    expect(failures(text, 'error')).toBeGreaterThan(0);
    expect(failures(text, 'access')).toBeGreaterThan(0);
    expect(isAlive(m.pid)).toBe(true);
    // Space returns: the next records say how many were lost, once.
    rmSync(join(disk, 'filler'));
    m.signal('SIGTTIN');
    for (let i = 0; i < 5; i++) expect((await get(`${url}/`)).status).toBe(200);
    await eventually(
      () => records(errorLog).some((r) => /^\d+ log records? could not be written \(ENOSPC\): writing again$/.test(r.msg ?? '')),
      10_000,
      'the warning in the error log',
    );
    expect(records(errorLog).filter((r) => /could not be written \(ENOSPC\): writing again$/.test(r.msg ?? '') && r.role === 'master')).toHaveLength(1);
    // No torn line: every line of the error log is whole JSON.
    for (const line of readFileSync(errorLog, 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

/** logrotate for real, forced, with its own state file. */
function logrotate(dir: string, style: string, pid: number): void {
  const conf = join(dir, 'logrotate.conf');
  const postrotate = style === 'copytruncate' ? '' : `\n  postrotate\n    kill -USR1 ${pid}\n  endscript`;
  writeFileSync(conf, `${join(dir, 'error.log')} ${join(dir, 'access.log')} {\n  rotate 2\n  ${style}\n  sharedscripts${postrotate}\n}\n`);
  execFileSync('logrotate', ['-f', '-s', join(dir, 'state'), conf]);
}

describe.runIf(isRoot)('log rotation, with and without create', () => {
  for (const style of ['create', 'nocreate', 'copytruncate'] as const) {
    it(`logrotate ${style}${style === 'copytruncate' ? '' : ' + USR1'}: no worker fails, new lines land in the new files, the access log stays nobody's`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'statefork-rotate-'));
      chmodSync(dir, 0o755); // the workers (nobody) open the access log in it, and cannot write the directory
      const [errorLog, accessLog] = [join(dir, 'error.log'), join(dir, 'access.log')];
      const { m, url } = await serving(['--access-log', accessLog], errorLog);
      expect((await get(`${url}/before`)).status).toBe(200);
      await eventually(() => existsSync(accessLog) && readFileSync(accessLog, 'utf8').includes('/before'), 5000, 'the first line');
      logrotate(dir, style, m.pid);
      if (style !== 'copytruncate')
        await eventually(
          () => records(errorLog).filter((r) => r.msg === 'log file reopened').length >= 2,
          20_000,
          'both workers reopened, logging to the new file',
        );
      for (let i = 0; i < 10; i++) expect((await get(`${url}/after`)).status).toBe(200);
      await eventually(
        () =>
          existsSync(accessLog) &&
          readFileSync(accessLog, 'utf8')
            .split('\n')
            .filter((l) => l.includes('GET /after')).length === 10,
        10_000,
        'ten lines in the new access log',
      );
      expect(readFileSync(accessLog, 'utf8')).not.toContain('/before');
      expect(readFileSync(`${accessLog}.1`, 'utf8')).toContain('GET /before');
      expect(statSync(accessLog).uid).toBe(NOBODY);
      const all = [...records(`${errorLog}.1`), ...records(errorLog)];
      expect(all.filter((r) => /^worker exited/.test(r.msg ?? ''))).toEqual([]);
      expect(all.filter((r) => r.level >= 50)).toEqual([]);
      m.signal('SIGTERM');
      expect((await m.exited).code).toBe(0);
      // The records after the rotation, the workers' too, are in the new error log.
      if (style !== 'copytruncate') expect(records(errorLog).some((r) => r.role === 'worker' && r.msg === 'worker exiting')).toBe(true);
      renameSync(dir, `${dir}.done`);
    });
  }
});
