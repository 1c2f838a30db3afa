/**
 * The CPUs and memory this process may use, as its cgroup sets them, v2 (cpu.max, memory.max)
 * or v1 (cpu.cfs_quota_us / cpu.cfs_period_us, memory.limit_in_bytes), the tightest along the
 * cgroup's path to the root. STATEFORK_CGROUP_DIR names a directory that holds those files
 * instead (tests give a fake one). Only reads: a file that is missing or does not parse is no limit.
 */
import { fs, os } from '../node-builtins.js';
import { dirname, join } from 'node:path';
import type { HostLimits } from '../../machines/master.scaling.js';

const { readFileSync } = fs;
const { availableParallelism, totalmem } = os();

export interface CgroupLimits extends HostLimits {
  /** The CPU quota as the cgroup sets it (null: none), and where the figures came from. */
  cpuQuota: number | null;
  memoryLimit: number | null;
  source: string;
}

/** v1's "no limit" is a page-rounded 2^63 - 1; anything this large is none. */
const UNLIMITED = 2 ** 60;

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'latin1').trim();
  } catch {
    return null;
  }
};

const positive = (text: string | null | undefined): number | null => {
  if (!text || !/^\d{1,20}$/.test(text)) return null;
  const n = Number(text);
  return n > 0 && n < UNLIMITED ? n : null;
};

/** One directory's limits: v2's files, else v1's. */
export function limitsIn(cpuDir: string, memoryDir = cpuDir): { cpu: number | null; memory: number | null } {
  const max = read(join(cpuDir, 'cpu.max'))?.split(/\s+/);
  let cpu: number | null = null;
  if (max) {
    const [quota, period] = [positive(max[0]), positive(max[1])];
    cpu = quota && period ? quota / period : null;
  } else {
    const [quota, period] = [positive(read(join(cpuDir, 'cpu.cfs_quota_us'))), positive(read(join(cpuDir, 'cpu.cfs_period_us')))];
    cpu = quota && period ? quota / period : null;
  }
  const memory = positive(read(join(memoryDir, 'memory.max'))) ?? positive(read(join(memoryDir, 'memory.limit_in_bytes')));
  return { cpu, memory };
}

const tightest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** Every directory from `dir` up to `root`, the deepest first. */
function upTo(root: string, dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    out.push(d);
    if (d === root) break;
  }
  return out.length ? out : [root];
}

/** This process's cgroup directories for the CPU and memory controllers (v2: one for both). */
function cgroupDirs(mount = '/sys/fs/cgroup'): { cpu: string[]; memory: string[] } {
  const lines = (read('/proc/self/cgroup') ?? '').split('\n').map((l) => l.split(':'));
  const pathOf = (controller: string) =>
    lines
      .find((l) => l[1]?.split(',').includes(controller))
      ?.slice(2)
      .join(':');
  const v1cpu = pathOf('cpu');
  const v1mem = pathOf('memory');
  const v2 = lines
    .find((l) => l[0] === '0' && l[1] === '')
    ?.slice(2)
    .join(':');
  // In a container the cgroup's path is often not under the mount (the mount is its root): both.
  const dirs = (root: string, path: string | undefined) => [...new Set([...upTo(root, join(root, path ?? '/')), root])];
  if (v1cpu !== undefined || v1mem !== undefined) return { cpu: dirs(join(mount, 'cpu'), v1cpu), memory: dirs(join(mount, 'memory'), v1mem) };
  return { cpu: dirs(mount, v2), memory: dirs(mount, v2) };
}

export function hostLimits(env: NodeJS.ProcessEnv = process.env): CgroupLimits {
  const fake = env.STATEFORK_CGROUP_DIR;
  const dirs = fake ? { cpu: [fake], memory: [fake] } : cgroupDirs();
  let cpuQuota: number | null = null;
  let memoryLimit: number | null = null;
  for (const d of dirs.cpu) cpuQuota = tightest(cpuQuota, limitsIn(d).cpu);
  for (const d of dirs.memory) memoryLimit = tightest(memoryLimit, limitsIn(d, d).memory);
  const cpus = Math.min(availableParallelism(), cpuQuota ?? Infinity);
  return { cpus, memoryBytes: memoryLimit ?? totalmem(), cpuQuota, memoryLimit, source: fake ? `STATEFORK_CGROUP_DIR ${fake}` : dirs.cpu[0] };
}
