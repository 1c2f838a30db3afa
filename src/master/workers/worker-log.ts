/**
 * Logs the master's view of each worker moving between phases, from the step's worker changes:
 *   {"event":"transition","machine":"master.worker","id":3,"pid":123,"from":"booting","to":"ready","cause":"WORKER_READY"}
 */
import type { MasterStep } from '../../../machines/master.facts.js';
import type { Logger } from '../../log.js';

/** Within one step, causes come before effects: a worker becoming ready before the one it retires. */
const rank = (from: string, to: string) => (from === 'none' ? 0 : to === 'ready' ? 1 : to === 'exited' ? 3 : 2);

export function logWorkerPhases(log: Logger, { workers: changes, cause }: MasterStep): void {
  for (const { w } of changes.filter((c) => c.spawned)) {
    log.info({ event: 'spawned', id: w.id, workerPid: w.pid, generation: w.generation }, `worker ${w.id} spawned with pid ${w.pid}`);
  }
  const moves = changes.filter((c) => c.from !== c.to).sort((a, b) => rank(a.from, a.to) - rank(b.from, b.to));
  for (const { w, from, to } of moves) {
    log.info(
      { event: 'transition', machine: 'master.worker', id: w.id, workerPid: w.pid, generation: w.generation, from, to, cause },
      `worker ${w.id}: ${from} -> ${to}`,
    );
  }
}
