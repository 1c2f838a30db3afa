/**
 * A worker child process as an Observable of what happens to it: spawned, the messages it sends
 * on its channel, what it sent that breaks the protocol, and its exit. It decides nothing: a
 * protocol error is reported, and the master machine decides what it means.
 *
 * The channel is a socket pair parsed here, not Node's IPC: Node parses its IPC channel inside
 * a libuv callback where one line that is not JSON throws into the master, and it buffers a line
 * with no newline without bound. Here every line is bounded (CHANNEL_MAX_LINE), parsed in a
 * try, and read at most CHANNEL_MAX_RATE a second.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { Observable } from './rx.js';
import {
  CHANNEL_MAX_LINE,
  CHANNEL_MAX_RATE,
  parseWorkerLine,
  tooLong,
  type Connections,
  type Durations,
  type ProxyRejections,
  type WorkerLoad,
} from '../../machines/protocol.js';
import type { SourceEvent } from '../../machines/master.events.js';
import { splitLines } from './lines.js';

/** What a child's events are for the master machine, as the machine declares them. */
export type WorkerEvent = SourceEvent<'WORKER_SPAWNED' | 'WORKER_READY' | 'WORKER_FAILED' | 'WORKER_RECYCLE' | 'WORKER_PROTOCOL_ERROR' | 'WORKER_EXIT'>;

/** The workers' figures: for display and metrics, never for the machine. */
export type WorkerStatsEvent = {
  type: 'WORKER_STATS';
  id: number;
  requests: number;
  durations?: Durations;
  logFailures: number;
  connections?: Connections;
  load?: WorkerLoad;
  proxyRejected?: ProxyRejections;
};

export type ChildEvent = WorkerEvent | WorkerStatsEvent;

/** After the exit, what the worker wrote last (its failure reason) may still be in the channel. */
const CHANNEL_DRAIN_MS = 200;

export function childEvents$(child: ChildProcess, id: number, channel: Socket | null): Observable<ChildEvent> {
  return new Observable<ChildEvent>((subscriber) => {
    if (child.pid !== undefined) subscriber.next({ type: 'WORKER_SPAWNED', id, pid: child.pid });
    let broken = false;
    const violation = (reason: string) => {
      if (broken) return;
      broken = true;
      subscriber.next({ type: 'WORKER_PROTOCOL_ERROR', id, reason });
    };
    const lines = splitLines(
      CHANNEL_MAX_LINE,
      (line) => {
        if (broken) return;
        const parsed = parseWorkerLine(line);
        if ('violation' in parsed) return violation(parsed.violation);
        const msg = parsed.message;
        if (msg.kind === 'ready') subscriber.next({ type: 'WORKER_READY', id });
        if (msg.kind === 'failed') subscriber.next({ type: 'WORKER_FAILED', id, reason: msg.reason });
        if (msg.kind === 'stats')
          subscriber.next({
            type: 'WORKER_STATS',
            id,
            requests: msg.requests,
            durations: msg.durations,
            logFailures: msg.logFailures ?? 0,
            connections: msg.connections,
            load: msg.load,
            proxyRejected: msg.proxyRejected,
          });
        if (msg.kind === 'recycle') subscriber.next({ type: 'WORKER_RECYCLE', id, reason: msg.reason });
      },
      (bytes) => violation(tooLong(bytes)),
    );

    // A flood is read at CHANNEL_MAX_RATE lines a second: past it, the socket waits for the next second.
    let windowStart = 0;
    let inWindow = 0;
    let resume: NodeJS.Timeout | undefined;
    const onData = (chunk: Buffer) => {
      if (broken) return; // discarded: the worker is being killed
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      }
      let count = 0;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count++;
      inWindow += count;
      lines.push(chunk);
      if (inWindow > CHANNEL_MAX_RATE && !broken && channel) {
        channel.pause();
        resume = setTimeout(() => channel.resume(), windowStart + 1000 - now).unref();
      }
    };
    channel?.on('data', onData);
    channel?.on('error', () => {}); // a worker gone mid-write: its exit tells the rest

    let over = false;
    const exit = (code: number | null, signal: string | null, error?: string) => {
      if (over) return;
      over = true;
      subscriber.next({ type: 'WORKER_EXIT', id, code, signal, ...(error ? { error } : {}) });
      subscriber.complete();
    };
    const onExit = (code: number | null, signal: string | null) => {
      if (!channel || channel.readableEnded || channel.destroyed) return exit(code, signal);
      const timer = setTimeout(() => exit(code, signal), CHANNEL_DRAIN_MS);
      const ended = () => {
        clearTimeout(timer);
        exit(code, signal);
      };
      channel.once('end', ended);
      channel.once('close', ended);
      channel.resume();
    };
    // 'error' without a pid means the process never started; later errors (a failed kill or
    // send) do not end the child, its 'exit' still comes.
    const onError = (err: Error) => {
      if (child.pid === undefined) exit(null, null, err.message);
    };
    child.once('exit', onExit);
    child.on('error', onError);
    return () => {
      clearTimeout(resume);
      channel?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
  });
}
