/**
 * Booting workers yield to serving ones: a worker starts at a lower CPU priority (--boot-nice)
 * and gets the master's own back the moment it reports ready. A reload boots a whole generation
 * beside the load; at normal priority the new processes take the cores from the workers that
 * serve (measured: about a third of the requests per second during back-to-back reloads). Only
 * a master that can raise a priority again (CAP_SYS_NICE: root, outside most containers) lowers
 * one: a worker left behind at a low priority would serve slowly for good.
 */
import { fs, os } from '../../node-builtins.js';

const { readFileSync } = fs;
const { getPriority, setPriority } = os();

const CAP_SYS_NICE = 23;

/** Whether this process may raise a priority (its effective capabilities, from /proc). */
export function canRaisePriority(): boolean {
  try {
    const hex = /^CapEff:\s+([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << BigInt(CAP_SYS_NICE))) !== 0n;
  } catch {
    return false;
  }
}

export interface BootPriority {
  /** Whether booting workers are lowered at all (the nice value is set and can be undone). */
  readonly active: boolean;
  booting(pid: number): void;
  ready(pid: number): void;
}

export function bootPriority(nice: number, capable = canRaisePriority()): BootPriority {
  const active = nice > 0 && capable;
  const normal = getPriority();
  const set = (pid: number, value: number) => {
    try {
      setPriority(pid, value);
    } catch {
      // gone already
    }
  };
  return {
    active,
    booting: (pid) => {
      if (active) set(pid, Math.min(19, normal + nice));
    },
    ready: (pid) => {
      if (active) set(pid, normal);
    },
  };
}
