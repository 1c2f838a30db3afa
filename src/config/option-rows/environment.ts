/**
 * The option table's rows for who the workers run as and where: the user and group, the
 * directory, the environment and Node's options, the mask and file modes, the pidfile, the
 * name, and the master's own log.
 */
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevelName } from '../../../machines/worker-settings.js';
import { checkChoice, checkString } from '../checks.js';
import { changeDirectory } from '../host-defaults.js';
import type { OptionRow, TableKey } from '../option-row.js';
import { checkEnv, checkFileMode, checkUmask, formatFileMode, formatUmask } from '../process-options.js';
import { LOG_FILE_MODE } from '../../files.js';
import { checkNodeOption, checkPreload } from '../worker-node.js';

const DEFAULT_LOG_LEVEL: LogLevelName = 'info';
const path = (name: string, value: unknown) => resolve(checkString(name, value));

export const ENVIRONMENT_ROWS = {
  user: {
    flags: '-u, --user <user>',
    type: 'string',
    help: 'run the workers as this user (name or uid); the master stays root',
    helpDefault: "the master's user",
    docDefault: "the master's",
    doc: "run the workers as this user (name or uid); the master must be root and stays root (it binds and owns what it created). The workers' heartbeat files, the unix sockets and the access log are handed to that user so the workers can use them (by the open fd, never by a path); the error log stays the master's (see Security)",
    show: (c) => (c.workerIdentity ? c.workerIdentity.uid : "(the master's)"),
  },
  group: {
    flags: '-g, --group <group>',
    type: 'string',
    help: 'run the workers with this group (name or gid)',
    helpDefault: "the --user's primary group",
    docDefault: "the user's primary group",
    doc: 'run the workers with this group (name or gid); supplementary groups are dropped',
    show: (c) => (c.workerIdentity ? c.workerIdentity.gid : "(the master's)"),
  },
  chdir: {
    flags: '--chdir <dir>',
    type: 'string',
    help: 'change to this directory before loading the app; relative paths are taken from it (the config file is still looked for where statefork started)',
    docDefault: 'none',
    doc: 'change to this directory at start, before the app loads: relative paths in the options (app, sockets, files) are taken from it, and the workers run there. The config file is still looked for, and `-c` resolved, where statefork was started (also on `HUP`)',
    check: (name: string, value: unknown) => changeDirectory(checkString(name, value)),
    show: (c) => c.chdir ?? '(none)',
  },
  env: {
    flags: '-e, --env <KEY=VALUE>',
    type: 'list',
    help: "set an environment variable in the workers' environment; repeatable",
    docDefault: 'none',
    doc: "a variable in the workers' environment (your app's), on top of the master's; repeatable. In a config file: a list of `KEY=VALUE` or an object. A new value applies to the workers a `HUP` starts",
    check: (_name: string, value: unknown) => checkEnv(value),
    show: (c) =>
      Object.entries(c.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '(none)',
  },
  import: {
    flags: '--import <module>',
    type: 'list',
    help: 'preload this ES module in each worker before the app (never in the master); repeatable',
    docDefault: 'none',
    doc: "an ES module each worker loads before the app, as `node --import`: OpenTelemetry's SDK, an APM agent, `tsx`. Never loaded in the master. Repeatable; resolved from the directory the workers run in, checked at start (a module that cannot be found is exit 2)",
    check: checkPreload,
    show: (c) => c.workerNode.imports.join(', ') || '(none)',
  },
  require: {
    flags: '--require <module>',
    type: 'list',
    help: 'preload this CommonJS module in each worker before the app (never in the master); repeatable',
    docDefault: 'none',
    doc: 'a CommonJS module each worker loads before the app, as `node --require`; repeatable, checked as `--import`',
    check: checkPreload,
    show: (c) => c.workerNode.requires.join(', ') || '(none)',
  },
  nodeOption: {
    flags: '--node-option <flag>',
    type: 'list',
    help: 'a Node or V8 flag for the workers only (e.g. --max-old-space-size=512); repeatable',
    docDefault: 'none',
    doc: "a Node or V8 flag the workers are started with, never the master: `--max-old-space-size=512`, `--enable-source-maps`, `--env-file=.env`; a value goes after `=`. Repeatable. Tried on this Node at start and on `HUP` (as the workers' user): a flag Node refuses is exit 2 with Node's own words. Flags that would run other code (`-e`, `--test`, `--watch`, …) are refused; preloads go in `--import`/`--require`",
    check: checkNodeOption,
    show: (c) => c.workerNode.nodeOptions.join(' ') || '(none)',
  },
  umask: {
    flags: '-m, --umask <mask>',
    type: 'string',
    help: 'file mode creation mask, octal (e.g. 027), for the master and its workers: unix sockets, logs, pidfile',
    helpDefault: 'inherited',
    docDefault: 'inherited',
    doc: 'the file mode creation mask (octal, e.g. `027`) of the master, set before it creates anything (error log, unix sockets, pidfile) and inherited by the workers',
    check: (_name: string, value: unknown) => checkUmask(value),
    show: (c) => formatUmask(c.umask),
  },
  logFileMode: {
    flags: '--log-file-mode <mode>',
    type: 'string',
    helpDefault: '0640',
    docDefault: '`0640`',
    help: 'octal mode of the log files statefork creates (error log, access log, --record), before the umask',
    doc: 'the mode (octal) of each log file statefork creates: the error log, the access log (given to `--user`) and `--record`; the umask applies on top, a file already there keeps its own. The default lets no other user read what the app logs; `0644` is the old behaviour',
    check: (_name: string, value: unknown) => checkFileMode(value ?? LOG_FILE_MODE),
    show: (c) => formatFileMode(c.logFileMode),
  },
  workerTmpDir: {
    flags: '--worker-tmp-dir <dir>',
    type: 'string',
    help: 'directory for the heartbeat files',
    helpDefault: '/dev/shm when usable',
    docDefault: '`/dev/shm` when writable, else the system temp dir',
    doc: 'where the heartbeat files live (tmpfs is best: a heartbeat must never wait on a disk)',
    check: path,
    show: (c) => c.workerTmpDir,
  },
  pid: {
    flags: '-p, --pid <file>',
    type: 'string',
    help: 'write the master pid to this file (removed on exit)',
    docDefault: 'none',
    doc: "write the master's pid here (atomically); refused if it names a running statefork master; a stale file (its process gone, or its pid now another program's) is replaced, with a warning; removed on exit, only if it is still ours",
    check: path,
    show: (c) => c.pidfile ?? '(none)',
  },
  name: {
    flags: '-n, --name <name>',
    type: 'string',
    help: 'name in process titles; when given, also the label name on every metric',
    helpDefault: 'the app path',
    docDefault: 'the app path',
    doc: "the name in process titles; when given, every metric carries it as the label `name` (which of a fleet's masters, beside Prometheus's `instance`; see Running many masters)",
    check: checkString,
    show: (c) => c.name,
  },
  logLevel: {
    flags: '--log-level <level>',
    type: 'string',
    default: DEFAULT_LOG_LEVEL,
    choices: LOG_LEVELS,
    help: 'log level',
    doc: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`',
    check: checkChoice(LOG_LEVELS),
    show: (c) => c.logLevel,
  },
  errorLog: {
    flags: '--error-log <file>',
    type: 'string',
    default: '-',
    help: 'log file, or - for stderr',
    docDefault: '`-` (stderr)',
    doc: "where the master and workers log. A file is the master's alone: workers send their records to the master, which writes them. Opened without following a link, only a regular file; a write that fails (a full disk) is counted, never fatal",
    check: checkString,
    show: (c) => c.errorLog,
  },
} satisfies Partial<Record<TableKey, OptionRow>>;
