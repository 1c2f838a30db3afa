/**
 * File descriptors the master inherited without being given them (a shell's `exec 9</secret`, a
 * supervisor's pipe): a child inherits every fd that lacks close-on-exec, so each worker, the
 * app and whoever controls it would get them. Node opens its own fds close-on-exec (and marks
 * low inherited ones so); what is left without it, and is not one the master was given (the
 * sockets it serves on, its IPC channel), is closed before any worker starts.
 */
import { fs } from '../../node-builtins.js';

const { closeSync, readdirSync, readFileSync, readlinkSync } = fs;

const O_CLOEXEC = 0o2000000;

/** The inherited fds that a child would get, other than `keep`: their numbers and what they are. */
export function strayFds(keep: number[]): Array<{ fd: number; target: string }> {
  const kept = new Set([0, 1, 2, ...keep]);
  const channel = (process.channel as { fd?: number } | undefined)?.fd;
  if (typeof channel === 'number') kept.add(channel);
  let fds: number[];
  try {
    fds = readdirSync('/proc/self/fd').map(Number);
  } catch {
    return []; // no /proc: nothing to go by
  }
  const strays: Array<{ fd: number; target: string }> = [];
  for (const fd of fds) {
    if (kept.has(fd)) continue;
    try {
      const flags = Number.parseInt(/^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1], 8);
      if (flags & O_CLOEXEC) continue;
      strays.push({ fd, target: readlinkSync(`/proc/self/fd/${fd}`) });
    } catch {
      // gone meanwhile (the directory listing's own fd)
    }
  }
  return strays;
}

/** Closes them; returns what was closed, for the log. */
export function closeStrayFds(keep: number[]): Array<{ fd: number; target: string }> {
  const strays = strayFds(keep);
  for (const { fd } of strays) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
  }
  return strays;
}
