/**
 * The worker's end of its channel to the master: a socket on WORKER_FD.channel, one JSON message per line
 * (machines/protocol.ts). It replaces Node's IPC, so a worker has no `process.send`, exactly as
 * under plain `node`. Its end of file is the master's death, even by SIGKILL.
 */
import net from 'node:net';
import { encodeMessage, parseMasterMessage, type MasterMessage, type WorkerMessage } from '../../machines/protocol.js';
import { splitLines } from '../adapters/lines.js';

/** The master sends one short note; anything longer is not the master. */
const MAX_MASTER_LINE = 4096;

export interface MasterChannel {
  /** Resolves once the message is handed to the kernel (or at once when the master is gone). */
  send(message: WorkerMessage): Promise<void>;
  readonly connected: boolean;
  onMessage(listener: (message: MasterMessage) => void): void;
  /** Called once, when the master's end closes. */
  onGone(listener: () => void): void;
  offGone(listener: () => void): void;
}

export function openChannel(fd: number): MasterChannel {
  const socket = new net.Socket({ fd, readable: true, writable: true });
  // The channel must not keep a worker alive that has nothing else to do.
  socket.unref();
  let connected = true;
  const gone = new Set<() => void>();
  const messages = new Set<(m: MasterMessage) => void>();
  const end = () => {
    if (!connected) return;
    connected = false;
    for (const listener of [...gone]) listener();
  };
  const lines = splitLines(
    MAX_MASTER_LINE,
    (line) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return;
      }
      const message = parseMasterMessage(raw);
      if (message) for (const listener of messages) listener(message);
    },
    () => {},
  );
  socket.on('data', (chunk: Buffer) => lines.push(chunk));
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', end);
  return {
    send: (message) =>
      new Promise((resolve) => {
        if (!connected) return resolve();
        socket.write(encodeMessage(message), () => resolve());
      }),
    get connected() {
      return connected;
    },
    onMessage: (listener) => void messages.add(listener),
    onGone: (listener) => void gone.add(listener),
    offGone: (listener) => void gone.delete(listener),
  };
}
