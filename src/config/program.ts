/**
 * The command-line grammar (commander), shared by the CLI and by STATEFORK_CMD_ARGS, which is
 * parsed exactly like the command line. Option names follow gunicorn's where it has one. No
 * defaults here: a value present means the user gave it, so layers can be merged by precedence.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { checkNice, checkPositiveInt, checkSeconds, DEFAULT_INSPECTOR, DEFAULTS, LOG_LEVELS, type Options } from './options.js';
import { checkWholeNumber } from './recycle.js';

export const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** commander wants InvalidArgumentError; our checks say what the expected form is. */
const asParser = (check: (name: string, v: unknown) => number, name: string) => (value: string) => {
  try {
    return check(name, value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^invalid [^:]*: /, ''));
  }
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(name = 'statefork'): Command {
  return new Command(name)
    .description('Pre-fork app server for Node.js HTTP apps: a master binds the sockets, N workers serve.')
    .version(VERSION, '-v, --version')
    .argument('[app]', 'module to serve: PATH or PATH:EXPORT (a request listener, a { fetch } object, or an http.Server)')
    .option('-c, --config <file>', 'configuration file [default: statefork.config.{js,mjs,cjs,json} in the working directory, if any]')
    .option('-w, --workers <n>', 'worker processes [default: $WEB_CONCURRENCY or the number of CPUs]', asParser(checkPositiveInt, '--workers'))
    .option('--boot-nice <n>', 'a booting worker runs at this nice value (0 to 19; 0: off) until it is ready, so a reload yields to the workers that serve [default: 10]', asParser(checkNice, '--boot-nice'))
    .option('--max-workers <n>', 'the most workers TTIN and statefork scale may reach [default: 1024]', asParser(checkPositiveInt, '--max-workers'))
    .option('-b, --bind <address>', 'HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N; repeatable [default: 127.0.0.1:8000, or 0.0.0.0:$PORT]', collect)
    .option('-t, --timeout <seconds>', `kill a worker whose heartbeat is silent this long; 0 disables [default: ${DEFAULTS.timeout}]`, asParser(checkSeconds, '--timeout'))
    .option('--graceful-timeout <seconds>', `time a stopping worker gets before SIGKILL [default: ${DEFAULTS.gracefulTimeout}]`, asParser(checkSeconds, '--graceful-timeout'))
    .option('--boot-timeout <seconds>', `time a worker gets to become ready; 0 disables [default: ${DEFAULTS.bootTimeout}]`, asParser(checkSeconds, '--boot-timeout'))
    .option('--drain-delay <seconds>', `on TERM, keep serving normally this long before draining, so load balancers stop sending first (Kubernetes) [default: ${DEFAULTS.drainDelay}]`, asParser(checkSeconds, '--drain-delay'))
    .option('--keep-alive <seconds>', `idle keep-alive connections are closed after this long [default: ${DEFAULTS.keepAlive}]`, asParser(checkSeconds, '--keep-alive'))
    .option('--max-header-size <bytes>', `largest request line plus headers; larger gets 431 [default: ${DEFAULTS.maxHeaderSize}]`, asParser(checkPositiveInt, '--max-header-size'))
    .option('--headers-timeout <seconds>', `time a client gets to send the request headers; then 408; 0 disables [default: ${DEFAULTS.headersTimeout}]`, asParser(checkSeconds, '--headers-timeout'))
    .option('--request-timeout <seconds>', `time a client gets to send the whole request; then 408; 0 disables [default: ${DEFAULTS.requestTimeout}]`, asParser(checkSeconds, '--request-timeout'))
    .option('--max-requests <n>', 'a worker that served this many requests is replaced (its replacement boots first); 0: never [default: 0]', asParser(checkWholeNumber, '--max-requests'))
    .option('--max-requests-jitter <n>', 'add up to this many, at random per worker, to --max-requests so workers do not recycle together [default: 0]', asParser(checkWholeNumber, '--max-requests-jitter'))
    .option('--max-memory <MiB>', 'a worker whose resident memory exceeds this is replaced, checked on each heartbeat; 0: never [default: 0]', asParser(checkWholeNumber, '--max-memory'))
    .option('--certfile <file>', 'serve HTTPS on every bind with this PEM certificate (with --keyfile)')
    .option('--keyfile <file>', 'the PEM private key for --certfile')
    .option('--ca-certs <file>', 'PEM CA certificates to send along (intermediate chain)')
    .option('--reload', "development: reload (as HUP) when a file in the app's directory changes")
    .option('--reload-extra-file <file>', 'with --reload, also watch this file; repeatable', collect)
    .option('--reuse-port', 'each worker binds the HOST:PORT binds itself with SO_REUSEPORT, the kernel spreads connections (Node >= 22.12) [default: off]')
    .option('--upgrade-auto', 'hot upgrade in one step: after USR2 this master stops by itself once the new master serves (and serves on if it fails) [default: off]')
    .option('-D, --daemon', 'run in the background: detach, and exit 0 once the workers serve (or non-zero with the reason); log with --error-log FILE')
    .option('--capture-output', "send the workers' stdout and stderr to the error log, one record per line")
    .option('--access-log <file>', 'write an access log line per request, from the workers (- for stdout) [default: off]')
    .option('--access-log-format <format>', "gunicorn's atoms (%(h)s %(r)s %(s)s %(D)s %({header}i)s ...), or json for one record per request [default: the common log format plus referer and user agent]")
    .option('-u, --user <user>', 'run the workers as this user (name or uid); the master stays root [default: the master\'s user]')
    .option('-g, --group <group>', 'run the workers with this group (name or gid) [default: the --user\'s primary group]')
    .option('--chdir <dir>', 'change to this directory before loading the app; relative paths are taken from it (the config file is still looked for where statefork started)')
    .option('-e, --env <KEY=VALUE>', "set an environment variable in the workers' environment; repeatable", collect)
    .option('-m, --umask <mask>', 'file mode creation mask, octal (e.g. 027), for the master and its workers: unix sockets, logs, pidfile [default: inherited]')
    .option('--worker-tmp-dir <dir>', 'directory for the heartbeat files [default: /dev/shm when usable]')
    .option('-p, --pid <file>', 'write the master pid to this file (removed on exit)')
    .option('-n, --name <name>', 'name in process titles [default: the app path]')
    .addOption(new Option('--log-level <level>', `log level [default: ${DEFAULTS.logLevel}]`).choices(LOG_LEVELS))
    .option('--error-log <file>', 'log file, or - for stderr [default: -]')
    .option('--inspector [address]', `serve the live inspector at HOST:PORT (loopback unless you say otherwise) [address: ${DEFAULT_INSPECTOR}]`)
    .option('--control-socket <path>', 'answer statefork status, workers, scale, ... on this unix socket (mode 0600) [default: /run/statefork/<pid>.sock for root, else $XDG_RUNTIME_DIR/statefork/<pid>.sock]')
    .option('--no-control-socket', 'serve no control socket')
    .option('--metrics <address>', 'serve Prometheus metrics at HOST:PORT (or PORT, on loopback) /metrics [default: off]')
    .option('--inspect-stately <url>', 'also forward the inspection events to a Stately inspector relay (@statelyai/inspect), e.g. ws://127.0.0.1:8080')
    .option('--record <file>', 'write every step of the master to this file as JSON lines (replay: statefork visualize --replay FILE)')
    .option('--print-config', 'print the effective configuration, with where each value came from, and exit')
    .option('--check-config', 'load the configuration and the app, report what is wrong, and exit without serving')
    .addHelpText('after', '\nA running master (see the README\'s Control socket):\n  statefork status | workers | scale N|+N|-N | reload | reopen | stop [--quick] | kill PID\n  [--control-socket PATH | -p FILE] [--json]\nDiagrams: statefork visualize --help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`statefork: ${text.trim().replace(/\n+/g, ' ')}\n`) });
}

export interface ParsedArgs {
  options: Partial<Options>;
  config?: string;
  printConfig: boolean;
  checkConfig: boolean;
}

/** Parses arguments (without the node and script paths); throws CommanderError on bad input. */
export function parseArgs(argv: string[], name?: string): ParsedArgs {
  const program = buildProgram(name);
  if (name) program.configureOutput({ outputError: (text, write) => write(`statefork: ${name}: ${text.trim().replace(/\n+/g, ' ')}\n`) });
  program.parse(argv, { from: 'user' });
  const { config, printConfig, checkConfig, ...options } = program.opts();
  if (program.args[0]) options.app = program.args[0];
  return { options: options as Partial<Options>, config, printConfig: Boolean(printConfig), checkConfig: Boolean(checkConfig) };
}

/** Splits STATEFORK_CMD_ARGS like a shell would for simple cases: spaces, and '...' or "..." quoting. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
