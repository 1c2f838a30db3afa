/**
 * A worker child process as an Observable of what happens to it: spawned, IPC messages of our
 * protocol, and its exit. It decides nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { Observable } from 'rxjs';
import { parseWorkerMessage, type Durations, type RecycleReason } from '../../machines/protocol.js';

export type ChildEvent =
  | { type: 'WORKER_SPAWNED'; id: number; pid: number }
  | { type: 'WORKER_READY'; id: number }
  | { type: 'WORKER_FAILED'; id: number; reason: string }
  | { type: 'WORKER_STATS'; id: number; requests: number; durations?: Durations }
  | { type: 'WORKER_RECYCLE'; id: number; reason: RecycleReason }
  | { type: 'WORKER_EXIT'; id: number; code: number | null; signal: string | null; error?: string };

export function childEvents$(child: ChildProcess, id: number): Observable<ChildEvent> {
  return new Observable<ChildEvent>((subscriber) => {
    if (child.pid !== undefined) subscriber.next({ type: 'WORKER_SPAWNED', id, pid: child.pid });
    const onMessage = (raw: unknown) => {
      const msg = parseWorkerMessage(raw);
      if (msg?.kind === 'ready') subscriber.next({ type: 'WORKER_READY', id });
      if (msg?.kind === 'failed') subscriber.next({ type: 'WORKER_FAILED', id, reason: msg.reason });
      if (msg?.kind === 'stats') subscriber.next({ type: 'WORKER_STATS', id, requests: msg.requests, durations: msg.durations });
      if (msg?.kind === 'recycle') subscriber.next({ type: 'WORKER_RECYCLE', id, reason: msg.reason });
    };
    const onExit = (code: number | null, signal: string | null) => {
      subscriber.next({ type: 'WORKER_EXIT', id, code, signal });
      subscriber.complete();
    };
    // 'error' without a pid means the process never started; later errors (a failed kill or
    // send) do not end the child, its 'exit' still comes.
    const onError = (err: Error) => {
      if (child.pid !== undefined) return;
      subscriber.next({ type: 'WORKER_EXIT', id, code: null, signal: null, error: err.message });
      subscriber.complete();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.on('error', onError);
    return () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
  });
}
