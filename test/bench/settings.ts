/** How long and how hard the bench runs; `--quick` shortens every section for a trial run. */
export interface BenchSettings {
  workers: number;
  connections: number;
  /** Throughput: interleaved rounds of `seconds` each per contender. */
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  reloads: number;
  hungTrials: number;
  hungTimeout: number;
  idleSeconds: number;
  scaleTo: number;
  swapWorkers: number;
  pipelineEvents: number;
}

export const FULL: BenchSettings = {
  workers: 2,
  connections: 50,
  rounds: 5,
  seconds: 5,
  warmupSeconds: 2,
  reloads: 20,
  hungTrials: 10,
  hungTimeout: 2,
  idleSeconds: 30,
  scaleTo: 32,
  swapWorkers: 8,
  pipelineEvents: 200_000,
};

export const QUICK: BenchSettings = {
  ...FULL,
  rounds: 2,
  seconds: 2,
  warmupSeconds: 1,
  reloads: 3,
  hungTrials: 2,
  idleSeconds: 5,
  scaleTo: 8,
  swapWorkers: 4,
  pipelineEvents: 20_000,
};
