/**
 * The command line: `statefork [options] [app]`, `statefork visualize`, and the control commands
 * (`statefork status`, ...). Usage and configuration errors print one line
 * and exit 2; start-up failures print one line with their exit code (see the README's table).
 */
import { CommanderError } from 'commander';
import { EXIT } from '../machines/exit-codes.js';
import { describeConfig, loadConfig, STARTED_IN, type Loaded } from './config/load.js';
import { isStateforkError, StateforkError } from './errors.js';
import { createLogger } from './log.js';
import { startMaster } from './master/runtime.js';
import { checkApp } from './worker/check.js';
import type { Step } from './inspector/hub.js';
import { daemonize, isDaemonChild, tellStarter } from './daemon.js';
import { isNewMaster } from './master/sockets/upgrade.js';
import { COMMANDS, type Command } from './control/protocol.js';
import { distPath } from './dist-paths.js';

async function serve(argv: string[], loaded: Loaded): Promise<number> {
  const { config } = loaded;
  // A hot upgrade's new master is the old daemon's child: detached already.
  if (config.daemon && !isDaemonChild() && !isNewMaster()) return daemonize(argv, config.errorLog);
  // --umask before the first file (the error log) is created; startMaster applies it too.
  if (config.umask !== null) process.umask(config.umask);
  const logging = createLogger({ level: config.logLevel, errorLog: config.errorLog, fileMode: config.logFileMode, base: { role: 'master', pid: process.pid } });
  if (loaded.configFile) logging.logger.info({ configFile: loaded.configFile }, `configuration file ${loaded.configFile}`);
  // USR2 runs the command again, from disk, with the same arguments.
  const command = { script: distPath('src/cli.js'), args: argv, cwd: STARTED_IN };
  const master = await startMaster(config, { logging, hooks: loaded.hooks, reload: () => loadConfig(argv), command, faultHandler: true });
  if (isDaemonChild()) {
    // The command that started this daemon waits for one word: serving, or why not.
    void master.serving.then(() => tellStarter({ kind: 'daemon-ready' }));
    void master.done.then((exitCode) => {
      const output = master.actor.getSnapshot().output;
      tellStarter({ kind: 'daemon-failed', exitCode, reason: output?.reason ?? `halted with exit code ${exitCode}` });
    });
  }
  return master.done;
}

/** `statefork visualize [--format mermaid|dot|svg] [--out DIR]` */
async function visualizeCommand(argv: string[]): Promise<number> {
  const { Command, Option } = await import('commander');
  const { FORMATS, visualize } = await import('../visualize/render.js');
  const program = new Command('statefork visualize')
    .description('draw the master and worker machines from their definitions')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('mermaid'))
    .option('-o, --out <dir>', 'write master.<ext> and worker.<ext> here instead of printing them')
    .option('--replay <file>', 'serve the inspector page from a recording (--record FILE) instead of drawing')
    .option('--inspector <address>', 'where to serve the replay (HOST:PORT)', '127.0.0.1:7700')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`statefork: ${text.trim().replace(/\n+/g, ' ')}\n`) });
  program.parse(argv, { from: 'user' });
  const { format, out, replay, inspector } = program.opts<{ format: (typeof FORMATS)[number]; out?: string; replay?: string; inspector: string }>();
  if (replay) return replayCommand(replay, inspector);
  for (const file of await visualize(format, out)) process.stdout.write(`${file}\n`);
  return EXIT.OK;
}

/** Serves a recording until TERM or INT: a post-mortem of what the master did. */
async function replayCommand(file: string, address: string): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const { normalize } = await import('./config/options.js');
  const { serveInspector } = await import('./inspector/server.js');
  let steps;
  try {
    steps = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Step);
  } catch (e) {
    throw new StateforkError('SF_USAGE', `cannot replay ${file}: ${(e as Error).message}; give a file written by --record`);
  }
  const { host, port } = normalize({ app: 'replay', inspector: address }).inspector!;
  const server = await serveInspector({ steps, subscribe: () => () => {} }, host, port);
  process.stdout.write(`replaying ${steps.length} steps of ${file} at ${server.url}\n`);
  await new Promise((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await server.close();
  return EXIT.OK;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  try {
    // A subcommand; an app that is really called "visualize" can be given as ./visualize.
    if (argv[0] === 'visualize') return await visualizeCommand(argv.slice(1));
    // A running master's control socket: statefork status, workers, scale, reload, reopen, stop, kill, dashboard-url.
    if ((COMMANDS as readonly string[]).includes(argv[0])) return await (await import('./control/cli.js')).controlCommand(argv[0] as Command, argv.slice(1));
    const loaded = await loadConfig(argv);
    if (loaded.cli.printConfig) {
      process.stdout.write(describeConfig(loaded));
      return EXIT.OK;
    }
    if (loaded.cli.checkConfig) {
      await checkApp(loaded.config.app);
      process.stdout.write(`configuration and app are fine: ${loaded.config.app.text}${loaded.configFile ? ` (config file ${loaded.configFile})` : ''}\n`);
      return EXIT.OK;
    }
    return await serve(argv, loaded);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (!isStateforkError(e)) throw e;
    process.stderr.write(`statefork: error: ${e.message}\n`);
    tellStarter({ kind: 'daemon-failed', exitCode: e.exitCode, reason: e.message });
    return e.exitCode;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`statefork: internal error: ${(e as Error | null)?.stack ?? String(e)}\n`);
    process.exit(EXIT.FAILURE);
  },
);
