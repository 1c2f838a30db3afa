/**
 * The signal tables: which Unix signal becomes which machine event. Adapters in src/ install a
 * listener for every key and emit the value; the machines decide what each one means.
 */
export const MASTER_SIGNALS = {
  SIGHUP: 'HUP',
  SIGTERM: 'TERM',
  SIGINT: 'INT',
  SIGQUIT: 'QUIT',
  SIGTTIN: 'TTIN',
  SIGTTOU: 'TTOU',
  SIGUSR1: 'USR1',
  SIGUSR2: 'USR2',
  SIGWINCH: 'WINCH',
} as const;

export type MasterSignal = keyof typeof MASTER_SIGNALS;
export type MasterSignalEvent = (typeof MASTER_SIGNALS)[MasterSignal];

/**
 * A worker handles every signal an operator might send to the whole process group. Without a
 * listener, TTIN/TTOU would stop the process, USR1 would start Node's debugger and HUP would kill
 * it, so those are listened to and ignored: a stray `pkill -HUP` must not take workers down.
 */
export const WORKER_SIGNALS = {
  SIGTERM: 'TERM',
  SIGQUIT: 'QUIT',
  SIGINT: 'INT',
  SIGABRT: 'ABRT',
  SIGUSR1: 'USR1',
  SIGHUP: 'IGNORED',
  SIGUSR2: 'IGNORED',
  SIGTTIN: 'IGNORED',
  SIGTTOU: 'IGNORED',
  SIGWINCH: 'IGNORED',
} as const;

/** Signals the master sends to a worker. */
export type WorkerKillSignal = 'SIGTERM' | 'SIGQUIT' | 'SIGABRT' | 'SIGKILL' | 'SIGUSR1';
