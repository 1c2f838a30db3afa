/**
 * --boot-nice, for real: a worker that boots while the ones it replaces still serve (a reload)
 * runs at a lower CPU priority, and has the master's back once it is ready; a first boot or a
 * replacement for a worker that died is not slowed down; off with 0; and a master that could
 * not raise a priority again never lowers one.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, startServing, type Running } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;

/** A serving master whose next worker (id 2: the reload's, or a replacement's) is held while it loads. */
async function serving(args: string[], wrap: string[] = []): Promise<{ m: Running; gate: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-nice-'));
  cpSync(join(APPS, 'gated.mjs'), join(dir, 'app.mjs'));
  const gate = join(dir, 'gate');
  const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', ...args, join(dir, 'app.mjs')], { env: { GATE: gate, GATED_IDS: '2' }, wrap });
  return { m, gate };
}

async function heldPid(m: Running, from: number): Promise<number> {
  return (await m.waitFor((x) => x.event === 'spawned' && x.id === 2, { from })).workerPid;
}

describe('--boot-nice', () => {
  it.runIf(isRoot)("a reload's worker boots at nice 10, and runs at the master's priority once ready; the first boot was not lowered", async () => {
    const { m, gate } = await serving([]);
    const [first] = m.workerPids();
    expect(getPriority(first)).toBe(getPriority());
    const from = m.records.length;
    m.signal('SIGHUP');
    const pid = await heldPid(m, from);
    expect(getPriority(pid)).toBe(getPriority() + 10);
    writeFileSync(gate, 'ok');
    await m.waitFor((x) => x.msg === 'worker ready', { from });
    expect(getPriority(pid)).toBe(getPriority());
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('a replacement for a worker that died restores lost capacity: it is not lowered', async () => {
    const { m, gate } = await serving([]);
    const from = m.records.length;
    process.kill(m.workerPids()[0], 'SIGKILL');
    const pid = await heldPid(m, from);
    expect(getPriority(pid)).toBe(getPriority());
    writeFileSync(gate, 'ok');
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  /** A HUP whose new worker, held at its boot by the gate, runs at the master's priority; then a clean stop. */
  async function reloadsAtNormalPriority({ m, gate }: Awaited<ReturnType<typeof serving>>): Promise<void> {
    const from = m.records.length;
    m.signal('SIGHUP');
    expect(getPriority(await heldPid(m, from))).toBe(getPriority());
    writeFileSync(gate, 'ok');
    await m.waitFor((x) => /^reload complete/.test(x.msg ?? ''), { from });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  }

  it("--boot-nice 0: a reload's worker is not lowered", async () => {
    await reloadsAtNormalPriority(await serving(['--boot-nice', '0']));
  });

  it.runIf(isRoot)('a master without CAP_SYS_NICE says so once and never lowers a worker it could not raise again', async () => {
    const { m, gate } = await serving([], ['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice']);
    expect(m.records.find((x) => /^workers boot at normal priority/.test(x.msg ?? ''))).toMatchObject({ level: 30, bootNice: 10 });
    await reloadsAtNormalPriority({ m, gate });
  });
});
