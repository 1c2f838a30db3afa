/**
 * The adaptive count for real (--workers MIN:MAX): a load that fills the accept queue brings a
 * second worker, which serves; once the load stops, the count goes back to MIN after the
 * cooldown, gracefully, with no request failed. The host's limits come from a fake cgroup
 * directory (STATEFORK_CGROUP_DIR), v2 and v1 files: the CPU quota sets the default MAX, the
 * memory limit stops the count where the workers would not fit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, startServing, type Rec, type Running } from '../helpers/cli.js';
import { pidOf, requestLoop } from '../helpers/http.js';
import { level2 } from './model-paths.shared.js';

const { harvest } = level2('adaptive');
const isScale = (direction: string) => (x: Rec) => x.event === 'scale' && x.direction === direction;

function fakeCgroup(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-cgroup-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), `${text}\n`);
  return dir;
}

/** Requests that each hold the loop 25 ms, on a new connection each: one worker cannot keep up. */
function load(m: Running, stop: () => boolean) {
  return requestLoop(`${m.url()}/busy?ms=25`, { concurrency: 24, stop, maxMs: 40_000 });
}

describe('adaptive worker count', () => {
  it('scales up on a queue that stays, serves on both, and back to MIN once quiet and after the cooldown, with nothing failed', async () => {
    const m = await startServing([
      '--workers',
      '1:2',
      '--scale-up-after',
      '0.5',
      '--scale-down-after',
      '2',
      '--scale-cooldown',
      '3',
      '--log-level',
      'debug',
      '-b',
      '127.0.0.1:0',
      '--metrics',
      '127.0.0.1:0',
      '--inspector',
      '127.0.0.1:0',
      'hello.cjs',
    ]);
    const metrics = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const inspector = (await m.waitFor((x) => typeof x.inspector === 'string')).inspector as string;
    expect(m.records.find((x) => typeof x.msg === 'string' && x.msg.startsWith('host limits'))).toMatchObject({ minWorkers: 1, maxWorkers: 2, maxGiven: true });
    let stop = false;
    const from = m.records.length;
    const loading = load(m, () => stop);
    const up = await m.waitFor(isScale('up'), { from, what: 'a scale-up', timeoutMs: 20_000 });
    expect(up).toMatchObject({ from: 1, to: 2, level: 30 });
    expect(up.reason === 'accept-queue' ? up.queued > 0 : up.meanElu >= 0.8).toBe(true);
    await m.waitFor((x) => x.msg === 'worker ready' && x.id === 2, { from, what: 'the second worker ready' });
    // Both workers take requests while the load lasts.
    const seen = m.records.length;
    await m.waitFor((x) => x.event === 'scale' && x.direction === 'none', { from: seen, what: 'the ceiling said once the load stays', timeoutMs: 20_000 });
    // Visible: the metrics, statefork status and the inspector say it.
    const scrape = await (await fetch(metrics)).text();
    expect(scrape).toMatch(/^statefork_workers_target 2$/m);
    expect(scrape).toMatch(/^statefork_workers_min 1$/m);
    expect(scrape).toMatch(/^statefork_workers_max 2$/m);
    expect(scrape).toContain(`statefork_scaling_decisions_total{direction="up",reason="${up.reason}"} 1`);
    expect(scrape).toMatch(new RegExp(`^statefork_accept_queue\\{socket="${m.url()}"\\} \\d+$`, 'm'));
    const status = startCli(['status', '--json', '--control-socket', `/run/statefork/${m.pid}.sock`]);
    await status.exited;
    expect(JSON.parse(status.stdout).scaling).toMatchObject({ min: 1, max: 2, maxReason: 'max', target: 2 });
    const table = startCli(['status', '--control-socket', `/run/statefork/${m.pid}.sock`]);
    await table.exited;
    expect(table.stdout).toMatch(/adaptive\s+1:2 \(max from MAX\), \d+ queued, mean loop \d+%/);
    const page = await (await fetch(`${inspector}scaling`)).json();
    expect(page.now).toMatchObject({ min: 1, max: 2, target: 2 });
    expect(page.decisions).toMatchObject([{ direction: 'up', from: 1, to: 2, reason: up.reason }]);
    stop = true;
    const result = await loading;
    expect(result.failures).toEqual([]);
    expect(new Set(result.bodies.map(pidOf)).size).toBe(2);
    const down = await m.waitFor(isScale('down'), { from, what: 'the scale-down after the cooldown', timeoutMs: 20_000 });
    expect(down).toMatchObject({ from: 2, to: 1, reason: 'quiet', queued: 0 });
    // Quiet for --scale-down-after, and --scale-cooldown since the count last changed.
    expect(down.quietMs).toBeGreaterThanOrEqual(2000);
    expect(down.time - up.time).toBeGreaterThanOrEqual(3000);
    // Retired gracefully: told why, and its exit is a retirement.
    await m.waitFor((x) => x.reason === 'scale' && typeof x.msg === 'string' && x.msg.startsWith('draining (scale)'), { from, what: 'the drain note' });
    await m.waitFor((x) => x.msg === 'worker exited: retired', { from, what: 'the retired worker gone' });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
    harvest(m.records);
  }, 90_000);

  it('the default MAX is the cgroup CPU quota (v2 cpu.max), and the ceiling is said with its reason', async () => {
    const dir = fakeCgroup({ 'cpu.max': '100000 100000', 'memory.max': String(8 * 2 ** 30) });
    const m = await startServing(['--workers', '1:auto', '--scale-up-after', '0.5', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { STATEFORK_CGROUP_DIR: dir } });
    expect(m.records.find((x) => typeof x.msg === 'string' && x.msg.startsWith('host limits'))).toMatchObject({
      cpus: 1,
      cpuQuota: 1,
      memoryLimitMiB: 8192,
      minWorkers: 1,
      maxWorkers: 1,
      maxGiven: false,
    });
    let stop = false;
    const loading = load(m, () => stop);
    const at = await m.waitFor(isScale('none'), { what: 'the ceiling', timeoutMs: 20_000 });
    expect(at).toMatchObject({ level: 40, reason: 'cpu', workers: 1, max: 1 });
    stop = true;
    expect((await loading).failures).toEqual([]);
    expect(m.records.filter(isScale('up'))).toEqual([]);
    // statefork scale moves within MIN and the ceiling: outside, refused (exit 2) naming the bound.
    const scale = async (to: string) => {
      const r = startCli(['scale', to, '--control-socket', `/run/statefork/${m.pid}.sock`]);
      return { code: (await r.exited).code, stderr: r.stderrText() };
    };
    expect(await scale('2')).toEqual({
      code: 2,
      stderr:
        "statefork: error: the master refused: cannot scale to 2 workers: the most is 1 (the adaptive ceiling: MAX of --workers MIN:MAX, the host's CPUs and memory)\n",
    });
    expect(await scale('0')).toEqual({
      code: 2,
      stderr: 'statefork: error: the master refused: cannot scale to 0 workers: the least is 1 (MIN of --workers MIN:MAX; change it and reload to go lower)\n',
    });
    m.signal('SIGTERM');
    await m.exited;
  }, 60_000);

  it('never more workers than the memory limit holds (v1 memory.limit_in_bytes), whatever the CPUs', async () => {
    // 4 CPUs by quota, 160 MiB: with the headroom, the master and one worker of ~50 MiB fit, not two.
    const dir = fakeCgroup({ 'cpu.cfs_quota_us': '400000', 'cpu.cfs_period_us': '100000', 'memory.limit_in_bytes': String(160 * 2 ** 20) });
    const m = await startServing(['--workers', '1:4', '--scale-up-after', '0.5', '-b', '127.0.0.1:0', 'hello.cjs'], { env: { STATEFORK_CGROUP_DIR: dir } });
    expect(m.records.find((x) => typeof x.msg === 'string' && x.msg.startsWith('host limits'))).toMatchObject({ cpus: 2, cpuQuota: 4, memoryLimitMiB: 160 });
    let stop = false;
    const loading = load(m, () => stop);
    const at = await m.waitFor(isScale('none'), { what: 'the memory ceiling', timeoutMs: 20_000 });
    expect(at).toMatchObject({ reason: 'memory', workers: 1, max: 1 });
    stop = true;
    expect((await loading).failures).toEqual([]);
    m.signal('SIGTERM');
    await m.exited;
  }, 60_000);
});
