/**
 * The kernel's view of a process, from /proc: each thread's name, state (R running, S sleeping,
 * D in uninterruptible wait, ...), the kernel function it waits in (wchan) and the system call it
 * is in (/proc/.../syscall: readable by root or the process's own user). Read synchronously, in a
 * few milliseconds: it is taken just before a hung worker is aborted.
 */
import { fs, os } from '../node-builtins.js';
import type { ThreadView } from '../../machines/watchdog-protocol.js';

const { readdirSync, readFileSync } = fs;
const { arch } = os();

export type { ThreadView };

/** The system calls a hung Node thread is found in, by number (x86-64, arm64). */
const SYSCALLS: Record<string, Record<number, string>> = {
  x64: {
    0: 'read',
    1: 'write',
    7: 'poll',
    23: 'select',
    35: 'nanosleep',
    43: 'accept',
    45: 'recvfrom',
    61: 'wait4',
    202: 'futex',
    219: 'restart_syscall',
    230: 'clock_nanosleep',
    232: 'epoll_wait',
    247: 'waitid',
    270: 'pselect6',
    271: 'ppoll',
    281: 'epoll_pwait',
    288: 'accept4',
  },
  arm64: {
    22: 'epoll_pwait',
    63: 'read',
    64: 'write',
    73: 'ppoll',
    72: 'pselect6',
    98: 'futex',
    101: 'nanosleep',
    115: 'clock_nanosleep',
    128: 'restart_syscall',
    202: 'accept',
    207: 'recvfrom',
    242: 'accept4',
    260: 'wait4',
    95: 'waitid',
  },
};

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

function syscallName(text: string | null): string | null {
  if (text === null) return null;
  const first = text.trim().split(/\s+/)[0];
  if (first === 'running') return 'running';
  const n = Number(first);
  if (!Number.isInteger(n) || n < 0) return first || null;
  return SYSCALLS[arch()]?.[n] ?? `syscall ${n}`;
}

export function threadsOf(pid: number): ThreadView[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b)
    .map((tid) => {
      const base = `/proc/${pid}/task/${tid}`;
      const stat = read(`${base}/stat`) ?? '';
      // The name is in parentheses and may hold spaces; the state follows the closing one.
      const close = stat.lastIndexOf(')');
      return {
        tid,
        name: stat.slice(stat.indexOf('(') + 1, close),
        state: stat.slice(close + 2, close + 3),
        wchan: (read(`${base}/wchan`) ?? '').trim() || '0',
        syscall: syscallName(read(`${base}/syscall`)),
      };
    });
}
