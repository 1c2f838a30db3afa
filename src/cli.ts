#!/usr/bin/env node
/**
 * The command line: `statefork [options] <app>`. Option names follow gunicorn's where it has one.
 * Usage errors print one line and exit 2; start-up failures print one line with their exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../machines/exit-codes.js';
import { checkPositiveInt, checkSeconds, DEFAULTS, LOG_LEVELS, normalize, type Config, type Options } from './config/options.js';
import { isStatforkError } from './errors.js';
import { createLogger } from './log.js';
import { startMaster } from './master/runtime.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** commander wants InvalidArgumentError; our checks say what the expected form is. */
const asParser = (check: (name: string, v: unknown) => number, name: string) => (value: string) => {
  try {
    return check(name, value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^invalid [^:]*: /, ''));
  }
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  return new Command('statefork')
    .description('Pre-fork app server for Node.js HTTP apps: a master binds the sockets, N workers serve.')
    .version(version, '-v, --version')
    .argument('<app>', 'module to serve: PATH or PATH:EXPORT (a request listener, a { fetch } object, or an http.Server)')
    .option('-w, --workers <n>', 'worker processes [default: $WEB_CONCURRENCY or the number of CPUs]', asParser(checkPositiveInt, '--workers'))
    .option('-b, --bind <address>', 'HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N; repeatable [default: 127.0.0.1:8000, or 0.0.0.0:$PORT]', collect)
    .option('-t, --timeout <seconds>', 'kill a worker whose heartbeat is silent this long; 0 disables', asParser(checkSeconds, '--timeout'), DEFAULTS.timeout)
    .option('--graceful-timeout <seconds>', 'time a stopping worker gets before SIGKILL', asParser(checkSeconds, '--graceful-timeout'), DEFAULTS.gracefulTimeout)
    .option('--boot-timeout <seconds>', 'time a worker gets to become ready; 0 disables', asParser(checkSeconds, '--boot-timeout'), DEFAULTS.bootTimeout)
    .option('--keep-alive <seconds>', 'idle keep-alive connections are closed after this long', asParser(checkSeconds, '--keep-alive'), DEFAULTS.keepAlive)
    .option('--worker-tmp-dir <dir>', 'directory for the heartbeat files [default: /dev/shm when usable]')
    .option('-p, --pid <file>', 'write the master pid to this file (removed on exit)')
    .option('-n, --name <name>', 'name in process titles [default: the app path]')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default(DEFAULTS.logLevel))
    .option('--error-log <file>', 'log file, or - for stderr', DEFAULTS.errorLog)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`statefork: ${text.trim().replace(/\n+/g, ' ')}\n`) });
}

export function parseArgs(argv: string[]): Options {
  const program = buildProgram();
  program.parse(argv, { from: 'user' });
  return { ...program.opts(), app: program.args[0] } as Options;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  let config: Config;
  try {
    config = normalize(parseArgs(argv));
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (isStatforkError(e)) {
      process.stderr.write(`statefork: error: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  try {
    const logging = createLogger({ level: config.logLevel, errorLog: config.errorLog, base: { role: 'master', pid: process.pid } });
    const master = await startMaster(config, { logging, reload: () => normalize(parseArgs(argv)) });
    return await master.done;
  } catch (e) {
    if (!isStatforkError(e)) throw e;
    process.stderr.write(`statefork: error: ${e.message}\n`);
    return e.exitCode;
  }
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`statefork: internal error: ${(e as Error)?.stack ?? e}\n`);
  process.exit(EXIT.FAILURE);
});
