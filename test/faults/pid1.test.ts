/**
 * statefork as PID 1, as in a container without --init: the master runs first in a new PID
 * namespace (unshare --pid --fork --mount-proc) with its workers as nobody, and an app whose
 * every request leaves an orphan (`sh -c 'sleep 0.1 &'`). After 200 requests no zombie is left,
 * the reaped orphans are counted, and the workers' own exits still reach the master with their
 * status (a SIGKILL is a crash, a TERM a clean exit 0). The control: the same master without its
 * native reaper says so at start and leaves the zombies.
 *
 * Not through helpers/cli.ts: its clean-up kills the pids the records name, and inside the
 * namespace those are not this machine's pids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { APPS, buildWithout, CLI, eventually, NODE, type Rec } from '../helpers/cli.js';
import { freePorts, get } from '../helpers/http.js';

const isRoot = process.getuid?.() === 0;
const started: ChildProcess[] = [];

afterEach(() => {
  // The namespace's PID 1 takes every process in it along when it dies.
  for (const c of started.splice(0))
    for (const pid of hostChildren(c.pid!))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
});

function hostChildren(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

const stateOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
};

/** The master as PID 1 of a new PID namespace; `cli`: which build of it. */
async function asPid1(cli: string, port: number, metrics: number) {
  const unshare = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', NODE, cli, '-w', '2', '-b', `127.0.0.1:${port}`, '-u', 'nobody', '--metrics', `127.0.0.1:${metrics}`, 'hostile.cjs'],
    { cwd: APPS, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push(unshare);
  const records: Rec[] = [];
  let buffer = '';
  unshare.stderr.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines)
      try {
        records.push(JSON.parse(line));
      } catch {
        records.push({ raw: line });
      }
  });
  const exited = new Promise<number | null>((ok) => unshare.once('exit', (code) => ok(code)));
  await eventually(() => records.some((r) => /^ready: every worker/.test(r.msg ?? '')), 20_000, 'the first generation');
  const [master] = hostChildren(unshare.pid!);
  const zombies = () => hostChildren(master).filter((pid) => stateOf(pid) === 'Z').length;
  return { records, master, zombies, exited };
}

async function orphaning(port: number, n: number) {
  for (let i = 0; i < n; i++) expect((await get(`http://127.0.0.1:${port}/orphan`)).status).toBe(200);
}

describe.runIf(isRoot)('statefork as PID 1 reaps the orphans it adopts', () => {
  it("200 orphaning requests leave no zombie; the workers' exits still reach the master with their status", async () => {
    const [port, metrics] = await freePorts(2);
    const m = await asPid1(CLI, port, metrics);
    expect(m.records.find((r) => r.reaper)).toMatchObject({ pid: 1, msg: 'running as PID 1: orphaned processes are reaped' });
    await orphaning(port, 200);
    // Each orphan sleeps 0.1 s, then is the master's to reap.
    let reaped = 0;
    const deadline = Date.now() + 10_000;
    while (reaped < 200 && Date.now() < deadline) {
      reaped = Number(/^statefork_orphans_reaped_total (\d+)$/m.exec((await get(`http://127.0.0.1:${metrics}/metrics`)).body)?.[1]);
      if (reaped < 200) await new Promise((ok) => setTimeout(ok, 100));
    }
    expect(reaped).toBe(200);
    expect(m.zombies()).toBe(0);
    // A worker's own end, as libuv saw it: SIGKILL is a crash, and a replacement comes.
    const workers = hostChildren(m.master);
    expect(workers).toHaveLength(2);
    const from = m.records.length;
    process.kill(workers[0], 'SIGKILL');
    await eventually(() => m.records.slice(from).some((r) => r.msg === 'worker ready'), 15_000, 'the replacement');
    expect(m.records.slice(from).find((r) => r.msg?.startsWith('worker exited'))).toMatchObject({ signal: 'SIGKILL', code: null, msg: 'worker exited: crash' });
    process.kill(m.master, 'SIGTERM');
    expect(await m.exited).toBe(0);
    expect(m.records.filter((r) => r.msg === 'worker exited: retired').map((r) => r.code)).toEqual([0, 0]);
  });

  it('without its native reaper, PID 1 says so at start with the way out, and the zombies stay (the control)', async () => {
    // The same build with the reaper removed: a platform it was not built for.
    const copy = buildWithout((f) => f.startsWith('reaper-'));
    const [port, metrics] = await freePorts(2);
    const m = await asPid1(copy.cli, port, metrics);
    expect(m.records.find((r) => r.pid1)).toMatchObject({
      level: 40,
      pid: 1,
      msg: 'statefork runs as PID 1 but its reaper is not built for this platform: orphaned processes will stay zombies; run it under an init (docker run --init, or tini as the entrypoint)',
    });
    await orphaning(port, 20);
    await eventually(() => m.zombies() === 20, 10_000, 'the 20 zombies');
    process.kill(m.master, 'SIGTERM');
    expect(await m.exited).toBe(0);
    copy.remove();
  });
});
