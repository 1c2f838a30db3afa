/**
 * What is at a unix socket's path before a master binds it: nothing, a socket a live server
 * answers on, a stale one (its server gone), or something that is not a socket. The --bind and
 * --control-socket checks each decide what to do with the answer.
 */
import net from 'node:net';
import { fs } from '../node-builtins.js';

const { lstatSync, readFileSync, readlinkSync } = fs;

export async function unixPathState(path: string): Promise<'free' | 'live' | 'stale' | 'not-a-socket'> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return 'free';
  }
  if (!isSocket) return 'not-a-socket';
  return new Promise((done) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      done('live');
    });
    c.once('error', () => done('stale'));
  });
}

/**
 * The path a unix socket fd is bound to, from the kernel (/proc/net/unix, by the socket's inode);
 * null when it has none or /proc cannot tell. A socket handed over by an environment variable is
 * believed only for the path it really has.
 */
export function boundPath(fd: number): string | null {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    if (!inode) return null;
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[6] === inode) return f[7] ?? null;
    }
  } catch {
    // no /proc
  }
  return null;
}

/** The inode of the socket file at `path`, or null when it is not a socket (gone, replaced). */
export function socketInode(path: string): number | null {
  try {
    const st = lstatSync(path);
    return st.isSocket() ? st.ino : null;
  } catch {
    return null;
  }
}
