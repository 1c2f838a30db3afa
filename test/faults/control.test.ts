/**
 * The control socket, attacked for real (hardening, items 3 and 6): input built to overflow the
 * master's stack, a directory another user made first, a socket another user put in place of
 * the master's, and answers with escape sequences for the operator's terminal.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, refusal, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

const isRoot = process.getuid?.() === 0;

/** Sends lines on one connection to the socket and collects one reply line per request. */
function converse(path: string, lines: string[]): Promise<Array<Record<string, any>>> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let buf = '';
    const replies: Array<Record<string, any>> = [];
    c.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        if (replies.length === lines.length) {
          c.end();
          resolve(replies);
        }
      }
    });
    c.on('error', reject);
    c.on('connect', () => c.write(lines.map((l) => `${l}\n`).join('')));
  });
}

const fakes: ChildProcess[] = [];
afterEach(() => {
  for (const f of fakes.splice(0)) f.kill('SIGKILL');
});

/** A socket that answers every line with `reply`, as the user the `wrap` command runs as. */
async function fakeMaster(path: string, reply: object, wrap: string[] = []): Promise<void> {
  const script = `require('net').createServer((s) => s.on('data', () => s.write(${JSON.stringify(`${JSON.stringify(reply)}\n`)}))).listen(${JSON.stringify(path)}, () => console.log('up'))`;
  const [cmd, ...args] = [...wrap, process.execPath, '-e', script];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  fakes.push(child);
  await new Promise((ok) => child.stdout.once('data', ok));
}

describe("bad input on the control socket never reaches the master's stack", () => {
  it('ids and arguments nested 30,000 deep, and ids that are not ids: an error reply each, the master serves on', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'statefork-ctl-')), 'ctl.sock');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', sock, 'hello.cjs']);
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const replies = await converse(sock, [
      `{"v":1,"id":${deep},"command":"status"}`,
      `{"v":1,"id":{"a":1},"command":"status"}`,
      `{"v":1,"id":"${'x'.repeat(300)}","command":"status"}`,
      `{"v":1,"id":1e400,"command":"status"}`,
      `{"v":1,"id":3,"command":"scale","args":{"workers":${deep}}}`,
      `{"v":1,"id":4,"command":"kill","args":{"pid":${deep}}}`,
      `{"v":${deep},"id":5,"command":"status"}`,
      `{"v":1,"id":"ok","command":"status"}`,
    ]);
    const idError = { v: 1, id: null, ok: false, error: { code: 'bad-request', message: '"id" must be a string of at most 256 characters, a number or null' } };
    expect(replies.slice(0, 4)).toEqual([idError, idError, idError, idError]);
    expect(replies[4]).toEqual({ v: 1, id: 3, ok: false, error: { code: 'bad-args', message: 'invalid workers object: expected N, +N or -N (e.g. "+2")' } });
    expect(replies[5]).toEqual({
      v: 1,
      id: 4,
      ok: false,
      error: { code: 'bad-args', message: 'no worker of this master has pid object: see statefork workers' },
    });
    expect(replies[6]).toMatchObject({
      id: 5,
      ok: false,
      error: { code: 'bad-request', message: 'unsupported protocol version object: this master speaks "v":1' },
    });
    expect(replies[7]).toMatchObject({ id: 'ok', ok: true, data: { pid: m.pid } });
    expect(isAlive(m.pid)).toBe(true);
    expect((await get(`${m.url()}/`)).status).toBe(200);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('scale to more than --max-workers is refused with exit 2; at the ceiling, TTIN is logged and ignored', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'statefork-ctl-')), 'ctl.sock');
    const m = await startServing(['-w', '2', '--max-workers', '3', '-b', '127.0.0.1:0', '--control-socket', sock, 'hello.cjs']);
    const { code, lines } = await refusal(['scale', '4', '--control-socket', sock]);
    expect([code, lines]).toEqual([2, ['statefork: error: the master refused: cannot scale to 4 workers: the most is 3 (--max-workers)']]);
    const big = await refusal(['scale', '+99999999999', '--control-socket', sock]);
    expect(big.code).toBe(2);
    const from = m.records.length;
    m.signal('SIGTTIN');
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    m.signal('SIGTTIN');
    await m.waitFor((x) => x.msg === 'TTIN ignored: already at the most workers allowed (--max-workers)', { from });
    expect(m.workerPids()).toHaveLength(3);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});

describe.runIf(isRoot)("the control socket's directory is verified, not trusted", () => {
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

  it.each([
    [
      'made by another user, mode 0777',
      (dir: string) => {
        mkdirSync(dir);
        chmodSync(dir, 0o777);
      },
      'belongs to uid 0, not to this user (uid 65534)',
    ],
    [
      'its own, but mode 0777',
      (dir: string) => {
        mkdirSync(dir);
        chownSync(dir, 65534, 65534);
        chmodSync(dir, 0o777);
      },
      'has mode 0777, not 0700',
    ],
    [
      'a symbolic link',
      (dir: string) => {
        const real = mkdtempSync(join(tmpdir(), 'statefork-real-'));
        chownSync(real, 65534, 65534);
        symlinkSync(real, dir);
      },
      'is a symbolic link',
    ],
  ])('a default directory %s: the master refuses to start, naming the fix', async (_, prepare, problem) => {
    const runtime = mkdtempSync(join(tmpdir(), 'statefork-xdg-'));
    chmodSync(runtime, 0o755);
    prepare(join(runtime, 'statefork'));
    const { code, lines } = await refusal(['-w', '1', '-b', '127.0.0.1:0', 'hello.cjs'], { wrap: asNobody, env: { XDG_RUNTIME_DIR: runtime } });
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe(
      `statefork: error: cannot serve the control socket in ${join(runtime, 'statefork')}: the directory ${problem}, so another user could put a socket there; remove it (statefork makes it again, 0700) or give --control-socket PATH`,
    );
  });

  it("another user's socket in place of the master's: statefork stop does not believe it, and the master runs on", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-swap-'));
    chmodSync(dir, 0o1777); // a shared, sticky directory, like /tmp
    const sock = join(dir, 'ctl.sock');
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--control-socket', join(dir, 'real.sock'), 'hello.cjs']);
    await fakeMaster(sock, { v: 1, id: 1, ok: true, data: { state: 'stopping.graceful' } }, asNobody);
    const { code, lines } = await refusal(['stop', '--control-socket', sock]);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `statefork: error: refusing to talk to ${sock}: it belongs to uid 65534, not to you (uid 0) or root, so it may not be a statefork master's; check who made it`,
    ]);
    // The real one is believed.
    const real = startCli(['status', '--control-socket', join(dir, 'real.sock')]);
    expect((await real.exited).code).toBe(0);
    expect(isAlive(m.pid)).toBe(true);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a socket of ours in a directory anyone can write (not sticky): refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-open-'));
    chmodSync(dir, 0o777);
    const sock = join(dir, 'ctl.sock');
    await fakeMaster(sock, { v: 1, id: 1, ok: true, data: {} });
    const { code, lines } = await refusal(['status', '--control-socket', sock]);
    expect([code, lines]).toEqual([
      1,
      [
        `statefork: error: refusing to talk to ${sock}: its directory ${dir} can be written by other users, so it may not be a statefork master's; check who made it`,
      ],
    ]);
  });
});

describe('what the CLI prints from an answer', () => {
  it('control characters (terminal escape sequences) are written out as escapes, in tables, lines and --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-esc-'));
    const sock = join(dir, 'ctl.sock');
    const evil = '\u001b]0;owned\u0007\u001b[2Jserving\u009b31m';
    await fakeMaster(sock, {
      v: 1,
      id: 1,
      ok: true,
      data: {
        pid: 1,
        state: evil,
        uptimeSeconds: 1,
        generation: 1,
        target: 1,
        workers: { live: 1, ready: 1, booting: 0, retiring: 0 },
        upgrade: null,
        upgradeFrom: null,
      },
    });
    const outputs = [] as string[];
    for (const args of [['status'], ['status', '--json'], ['reload']]) {
      outputs.push(execFileSync(process.execPath, [join(process.cwd(), 'dist/src/cli.js'), ...args, '--control-socket', sock], { encoding: 'utf8' }));
    }
    for (const out of outputs) expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(outputs[0]).toContain('state       \\x1b]0;owned\\x07\\x1b[2Jserving\\x9b31m');
    expect(outputs[1]).toContain('"state": "\\u001b]0;owned\\u0007\\u001b[2Jserving\\u009b31m"');
    expect(outputs[2]).toBe('reload requested (\\x1b]0;owned\\x07\\x1b[2Jserving\\x9b31m)\n');
  });
});
