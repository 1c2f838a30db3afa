/**
 * What is at a unix socket's path before a master binds it: nothing, a socket a live server
 * answers on, a stale one (its server gone), or something that is not a socket. The --bind and
 * --control-socket checks each decide what to do with the answer.
 */
import net from 'node:net';
import { lstatSync } from 'node:fs';

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
    c.once('connect', () => { c.destroy(); done('live'); });
    c.once('error', () => done('stale'));
  });
}
