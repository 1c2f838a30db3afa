/**
 * The master's load sample (machines/master.scaling.ts's LoadSample), measured after each
 * periodic check: the accept queue of every listening socket the master holds (a --reuse-port
 * address is the workers' own and has none here), the load each worker reported on its last
 * heartbeat, and the master's own resident memory. Only measures; the machine decides.
 */
import type { LoadSample } from '../../../machines/master.scaling.js';
import type { WorkerLoad } from '../../../machines/protocol.js';
import { plannedMax } from '../../../machines/master.scaling.js';
import { acceptQueues } from '../../adapters/accept-queue.js';
import { keepReadingOnly, ownResidentBytes, residentBytes } from '../../adapters/resident-memory.js';
import type { Config } from '../../config/types.js';
import type { Logger } from '../../log.js';

export interface SampledSocket {
  fd: number;
  url: string;
}

/**
 * The utilisation is the worker's report (checked by the protocol: 0 to 1); its memory is read by
 * the master from /proc, so a worker that lies about its size cannot raise the memory ceiling,
 * and a worker that has not reported yet (just booted) counts at its size all the same.
 */
export function loadSampler(sockets: readonly SampledSocket[], loads: () => Map<number, WorkerLoad>, pids: () => Map<number, number>): () => LoadSample {
  return () => {
    const waiting = acceptQueues(sockets.map((s) => s.fd));
    const workers: LoadSample['workers'] = {};
    const reported = loads();
    const current = pids();
    keepReadingOnly(current.values());
    for (const [id, pid] of current) {
      const rssBytes = residentBytes(pid) ?? reported.get(id)?.rssBytes;
      if (rssBytes !== undefined) workers[id] = { elu: reported.get(id)?.elu ?? null, rssBytes };
    }
    return { queues: sockets.map((s, i) => ({ socket: s.url, waiting: waiting[i] })), workers, masterRssBytes: ownResidentBytes() };
  };
}

const mib = (n: number | null) => (n === null ? null : Math.round(n / 2 ** 20));

/** At start: the limits the host sets (both always), and the adaptive range they give. */
export function logWorkerCount(config: Config, log: Logger): void {
  const { cpus, cpuQuota, memoryLimit, memoryBytes, source } = config.limits;
  const s = config.scaling;
  const fields = { cpus, cpuQuota, memoryLimitMiB: mib(memoryLimit), memoryMiB: mib(memoryBytes), cgroup: source };
  const limits = `${cpus} CPU${cpus === 1 ? '' : 's'}${cpuQuota === null ? '' : ` (cgroup quota ${cpuQuota})`}, memory ${mib(memoryBytes)} MiB${memoryLimit === null ? ' (no cgroup limit)' : ' (cgroup limit)'}`;
  if (!s) return void log.info({ ...fields, workers: config.workers }, `host limits: ${limits}; a fixed count of ${config.workers} worker(s)`);
  const max = plannedMax(s, config.limits);
  log.info(
    { ...fields, minWorkers: s.min, maxWorkers: max, maxGiven: s.max !== null },
    `host limits: ${limits}; adaptive count ${s.min}:${max}${s.max === null ? ' (MAX from the CPUs)' : ''}, never more than the memory holds at the largest worker's size`,
  );
}
