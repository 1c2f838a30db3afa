/**
 * Logs the master's view of each worker moving between phases, by comparing the worker
 * handles of two consecutive master snapshots:
 *   {"event":"transition","machine":"master.worker","id":3,"pid":123,"from":"booting","to":"ready","cause":"WORKER_READY"}
 */
import type { MasterContext } from '../../machines/master.context.js';
import type { WorkerHandle } from '../../machines/worker-handle.js';
import type { Logger } from '../log.js';

/** Within one step, causes come before effects: a worker becoming ready before the one it retires. */
const rank = (from: string, to: string) => (from === 'none' ? 0 : to === 'ready' ? 1 : to === 'exited' ? 3 : 2);

export function logWorkerPhases(log: Logger, prev: MasterContext | null, next: MasterContext, cause: string): void {
  const before = new Map<number, WorkerHandle>((prev?.workers ?? []).map((w) => [w.id, w]));
  const changes: Array<{ w: WorkerHandle; from: string; to: string }> = [];
  for (const w of next.workers) {
    const old = before.get(w.id);
    if (!old) changes.push({ w, from: 'none', to: w.phase });
    else if (old.phase !== w.phase) changes.push({ w, from: old.phase, to: w.phase });
    if (w.pid !== null && old?.pid == null) log.info({ event: 'spawned', id: w.id, workerPid: w.pid, generation: w.generation }, `worker ${w.id} spawned with pid ${w.pid}`);
  }
  const after = new Set(next.workers.map((w) => w.id));
  for (const w of before.values()) if (!after.has(w.id)) changes.push({ w, from: w.phase, to: 'exited' });
  changes.sort((a, b) => rank(a.from, a.to) - rank(b.from, b.to));
  for (const { w, from, to } of changes) {
    log.info({ event: 'transition', machine: 'master.worker', id: w.id, workerPid: w.pid, generation: w.generation, from, to, cause }, `worker ${w.id}: ${from} -> ${to}`);
  }
}
