/**
 * The programmatic API: embed a statefork master in your own process.
 *
 *   import { run } from 'statefork';
 *   const master = await run({ app: './app.js', workers: 4, bind: '127.0.0.1:8000' });
 *   process.exitCode = await master.done;
 *
 * The master installs its signal handlers on this process (HUP, TERM, INT, QUIT, TTIN, TTOU,
 * USR1, USR2, WINCH), exactly as the CLI does.
 */
import { normalize, type Options } from './config/options.js';
import { startMaster, type Master } from './master/runtime.js';

export type { Options, Config, LogLevelName } from './config/options.js';
export type { Master } from './master/runtime.js';
export { StateforkError, ERRORS, type ErrorCode } from './errors.js';
export { EXIT } from '../machines/exit-codes.js';
export { MASTER_SIGNALS, WORKER_SIGNALS } from '../machines/signals.js';
export { masterMachine, workerMachine } from '../machines/index.js';

/** Validates the options (throws a StateforkError naming the bad one), binds, and starts the workers. */
export async function run(options: Options): Promise<Master> {
  return startMaster(normalize(options), { reload: () => ({ config: normalize(options) }) });
}

export { loadConfig } from './config/load.js';
