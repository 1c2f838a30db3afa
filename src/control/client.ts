/** The client side of the control socket: one request, one response line. */
import net from 'node:net';
import { StateforkError } from '../errors.js';
import { CONTROL_VERSION, type Command, type Response } from './protocol.js';
import { trustSocket } from './paths.js';

export function controlRequest(path: string, command: Command, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Response> {
  // A socket someone else put there would answer whatever they like ("stopped", while it runs on).
  trustSocket(path);
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StateforkError('SF_NO_MASTER', `the master at ${path} did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ v: CONTROL_VERSION, id: 1, command, args })}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buffer.slice(0, nl)) as Response);
      } catch {
        reject(new StateforkError('SF_NO_MASTER', `${path} answered something that is not a statefork master's reply`));
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        e.code === 'ENOENT'
          ? 'no such socket'
          : e.code === 'ECONNREFUSED'
            ? 'nothing listens on it'
            : e.code === 'EACCES'
              ? "permission denied (run as the master's user)"
              : (e.code ?? e.message);
      reject(new StateforkError('SF_NO_MASTER', `no master answers at ${path}: ${why}; is it running? give --control-socket PATH or --pid FILE`));
    });
  });
}
