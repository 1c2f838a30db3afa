/**
 * Logs the master's view of each worker moving between phases, by comparing the worker
 * handles of two consecutive master snapshots:
 *   {"event":"transition","machine":"master.worker","id":3,"pid":123,"from":"booting","to":"ready","cause":"WORKER_READY"}
 */
import type { MasterContext } from '../../machines/master.context.js';
import type { WorkerHandle } from '../../machines/worker-handle.js';
import type { Logger } from '../log.js';

export function logWorkerPhases(log: Logger, prev: MasterContext | null, next: MasterContext, cause: string): void {
  const before = new Map<number, WorkerHandle>((prev?.workers ?? []).map((w) => [w.id, w]));
  const after = new Map<number, WorkerHandle>(next.workers.map((w) => [w.id, w]));
  const record = (w: WorkerHandle, from: string, to: string) =>
    log.info({ event: 'transition', machine: 'master.worker', id: w.id, workerPid: w.pid, generation: w.generation, from, to, cause }, `worker ${w.id}: ${from} -> ${to}`);
  for (const [id, w] of after) {
    const old = before.get(id);
    if (!old) record(w, 'none', w.phase);
    else if (old.phase !== w.phase) record(w, old.phase, w.phase);
    if (w.pid !== null && old?.pid == null) log.info({ event: 'spawned', id: w.id, workerPid: w.pid, generation: w.generation }, `worker ${w.id} spawned with pid ${w.pid}`);
  }
  for (const [id, w] of before) if (!after.has(id)) record(w, w.phase, 'exited');
}
