/**
 * The option table's rows for the processes and their files: TLS, reloading, the upgrade, the
 * daemon, logs, identity, directories and the environment.
 */
import { resolve } from 'node:path';
import { DEFAULT_ACCESS_FORMAT, LOG_LEVELS, type LogLevelName } from '../../../machines/worker-settings.js';
import { checkBoolean, checkChoice, checkString } from '../checks.js';
import { changeDirectory } from '../host-defaults.js';
import type { OptionRow, TableKey } from '../option-row.js';
import { checkEnv, checkFileMode, checkLogRate, checkUmask, formatFileMode, formatLogRate, formatUmask } from '../process-options.js';
import { checkPemFile } from '../tls.js';
import { LOG_FILE_MODE } from '../../files.js';
import { checkNodeOption, checkPreload } from '../worker-node.js';

const TLS_DOC = 'serve HTTPS on every bind (unix sockets too) with this PEM certificate and key; the workers read the files when they start, so a `HUP` picks up renewed ones. A request listener or `fetch` app is served over TLS; an app that exports its own server must export an `https.Server`, and an app that listens itself must make an `https.Server` (a plain one is refused, exit 4: see Apps that listen themselves)';
const DEFAULT_LOG_LEVEL: LogLevelName = 'info';
/** No ordinary app writes this much: a request logged 5000 times a second, or 4 MiB of it. */
const DEFAULT_LOG_RATE = '5000:4MiB';
const path = (name: string, value: unknown) => resolve(checkString(name, value));

export const PROCESS_ROWS = {
  certfile: {
    flags: '--certfile <file>', type: 'string',
    help: 'serve HTTPS on every bind with this PEM certificate (with --keyfile)',
    docDefault: 'off', doc: TLS_DOC,
    check: checkPemFile,
    show: (c) => c.tls?.cert ?? '(off)',
  },
  keyfile: {
    flags: '--keyfile <file>', type: 'string',
    help: 'the PEM private key for --certfile',
    check: checkPemFile,
    show: (c) => c.tls?.key ?? '(off)',
  },
  caCerts: {
    flags: '--ca-certs <file>', type: 'string',
    help: 'PEM CA certificates to send along (intermediate chain)',
    docDefault: 'none',
    doc: 'PEM certificates sent along with `--certfile` (the intermediate chain)',
    check: checkPemFile,
    show: (c) => c.tls?.ca ?? '(off)',
  },
  http2: {
    flags: '--http2', type: 'flag', default: false,
    help: 'serve HTTP/2 on the TLS binds (ALPN), HTTP/1.1 to the clients that ask for it; needs --certfile',
    doc: 'serve HTTP/2 on the TLS binds, chosen by ALPN, with HTTP/1.1 for the clients that ask for it. A request listener is served through Node\'s HTTP/2 compatibility API, a `fetch` app through its adapter; a drain sends GOAWAY and lets the open streams finish (see HTTP/2). Needs `--certfile` and `--keyfile`',
    check: checkBoolean('http2'),
    show: (c) => c.http2,
  },
  reload: {
    flags: '--reload', type: 'flag', default: false,
    help: "development: reload (as HUP) when a file in the app's directory changes",
    doc: "**development only**: a change to a file in the app's directory (not its subdirectories) reloads the workers exactly as `HUP` does, after 300 ms of quiet; an edit that breaks the app keeps the old workers serving and logs why",
    check: checkBoolean('reload'),
    show: (c) => (c.reload ? ['on', ...c.reload.extraFiles].join(', ') : '(off)'),
  },
  reloadExtraFile: {
    flags: '--reload-extra-file <file>', type: 'list',
    help: 'with --reload, also watch this file; repeatable',
    docDefault: 'none',
    doc: 'with `--reload`, also watch this file; repeatable',
    check: path,
  },
  reusePort: {
    flags: '--reuse-port', type: 'flag', default: false,
    help: 'each worker binds the HOST:PORT binds itself with SO_REUSEPORT, the kernel spreads connections',
    helpDefault: 'off',
    doc: "each worker binds the `HOST:PORT` binds itself with `SO_REUSEPORT` and the kernel spreads new connections over the workers' sockets (unix and `fd://` binds stay the master's). Needs a fixed port. The trade-off: a worker's queue is its own, so connections the kernel put in a stopping worker's queue after its drain swept it are reset (Linux can migrate them with `sysctl net.ipv4.tcp_migrate_req=1`); without this option nothing queued is ever lost",
    check: checkBoolean('reusePort'),
    show: (c) => c.reusePort,
  },
  upgradeAuto: {
    flags: '--upgrade-auto', type: 'flag', default: false,
    help: 'hot upgrade in one step: after USR2 this master stops by itself once the new master serves (and serves on if it fails)',
    helpDefault: 'off',
    doc: 'hot upgrade in one step: after `USR2`, this master stops by itself (gracefully, as on `TERM`) as soon as the new master reports every worker ready; if the new master cannot boot, this one serves on (see Hot upgrade)',
    check: checkBoolean('upgradeAuto'),
    show: (c) => c.upgradeAuto,
  },
  daemon: {
    flags: '-D, --daemon', type: 'flag', default: false,
    help: 'run in the background: detach, and exit 0 once the workers serve (or non-zero with the reason); log with --error-log FILE',
    doc: "run in the background: the command starts a detached master (new session, no terminal, stdin/stdout/stderr on `/dev/null`) and exits 0 once its first generation serves, or with the failure's exit code and reason in one line. Give `--error-log FILE` (and `-p`): with `-` the log goes nowhere, and the command says so",
    check: checkBoolean('daemon'),
    show: (c) => c.daemon,
  },
  workerLogRate: {
    flags: '--worker-log-rate <records:bytes>', type: 'string', helpDefault: DEFAULT_LOG_RATE, docDefault: `\`${DEFAULT_LOG_RATE}\``,
    help: "the most records and bytes a second each worker may put into the error log (log records and captured output); the rest is dropped and counted; 0: no limit",
    doc: "the most records and bytes a second each worker may put into the error log, its log records and `--capture-output` lines together (BYTES in bytes, `KiB` or `MiB`, at least 64KiB). Over it, the rest of that second's lines are dropped, the worker's pipes wait for the next second (its writes block meanwhile), and one record says how many were dropped (`event: log-dropped`; metric `statefork_worker_log_dropped_records_total`). `0`: no limit",
    check: (_name: string, value: unknown) => checkLogRate(value ?? DEFAULT_LOG_RATE),
    show: (c) => formatLogRate(c.workerLogRate),
  },
  captureOutput: {
    flags: '--capture-output', type: 'flag', default: false,
    help: "send the workers' stdout and stderr to the error log, one record per line",
    doc: "what workers (your app) print on stdout and stderr becomes records of the error log, one per line, with the worker's id and pid",
    check: checkBoolean('captureOutput'),
    show: (c) => c.captureOutput,
  },
  accessLog: {
    flags: '--access-log <file>', type: 'string',
    help: 'write an access log line per request, from the workers (- for stdout)',
    helpDefault: 'off', docDefault: 'off',
    doc: 'one line per request, written by the workers; `-` for stdout. Lines never interleave; `USR1` reopens it',
    check: (name: string, value: unknown) => (checkString(name, value) === '-' ? '-' : path(name, value)),
    show: (c) => c.accessLog ?? '(off)',
  },
  accessLogFormat: {
    flags: '--access-log-format <format>', type: 'string', default: DEFAULT_ACCESS_FORMAT,
    help: "gunicorn's atoms (%(h)s %(r)s %(s)s %(D)s %({header}i)s ...), or json for one record per request",
    helpDefault: 'the common log format plus referer and user agent',
    doc: "gunicorn's atoms: `h` remote address, `t` time, `r` request line, `m` method, `U` path, `q` query, `s` status, `b` body bytes, `f` referer, `a` user agent, `D` microseconds, `L` seconds, `p` pid, `{header}i` a request header, `{header}o` a response header; or `json` for one JSON record per request",
    check: checkString,
    show: (c) => c.accessLogFormat,
  },
  // user and group are checked together, with the master's own identity (identity.ts).
  user: {
    flags: '-u, --user <user>', type: 'string',
    help: 'run the workers as this user (name or uid); the master stays root',
    helpDefault: "the master's user", docDefault: "the master's",
    doc: "run the workers as this user (name or uid); the master must be root and stays root (it binds and owns what it created). The workers' heartbeat files, the unix sockets and the access log are handed to that user so the workers can use them (by the open fd, never by a path); the error log stays the master's (see Security)",
    show: (c) => (c.workerIdentity ? c.workerIdentity.uid : "(the master's)"),
  },
  group: {
    flags: '-g, --group <group>', type: 'string',
    help: 'run the workers with this group (name or gid)',
    helpDefault: "the --user's primary group", docDefault: "the user's primary group",
    doc: 'run the workers with this group (name or gid); supplementary groups are dropped',
    show: (c) => (c.workerIdentity ? c.workerIdentity.gid : "(the master's)"),
  },
  chdir: {
    flags: '--chdir <dir>', type: 'string',
    help: 'change to this directory before loading the app; relative paths are taken from it (the config file is still looked for where statefork started)',
    docDefault: 'none',
    doc: 'change to this directory at start, before the app loads: relative paths in the options (app, sockets, files) are taken from it, and the workers run there. The config file is still looked for, and `-c` resolved, where statefork was started (also on `HUP`)',
    check: (name: string, value: unknown) => changeDirectory(checkString(name, value)),
    show: (c) => c.chdir ?? '(none)',
  },
  env: {
    flags: '-e, --env <KEY=VALUE>', type: 'list',
    help: "set an environment variable in the workers' environment; repeatable",
    docDefault: 'none',
    doc: "a variable in the workers' environment (your app's), on top of the master's; repeatable. In a config file: a list of `KEY=VALUE` or an object. A new value applies to the workers a `HUP` starts",
    check: (_name: string, value: unknown) => checkEnv(value),
    show: (c) => Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)',
  },
  import: {
    flags: '--import <module>', type: 'list',
    help: 'preload this ES module in each worker before the app (never in the master); repeatable',
    docDefault: 'none',
    doc: "an ES module each worker loads before the app, as `node --import`: OpenTelemetry's SDK, an APM agent, `tsx`. Never loaded in the master. Repeatable; resolved from the directory the workers run in, checked at start (a module that cannot be found is exit 2)",
    check: checkPreload,
    show: (c) => c.workerNode.imports.join(', ') || '(none)',
  },
  require: {
    flags: '--require <module>', type: 'list',
    help: 'preload this CommonJS module in each worker before the app (never in the master); repeatable',
    docDefault: 'none',
    doc: 'a CommonJS module each worker loads before the app, as `node --require`; repeatable, checked as `--import`',
    check: checkPreload,
    show: (c) => c.workerNode.requires.join(', ') || '(none)',
  },
  nodeOption: {
    flags: '--node-option <flag>', type: 'list',
    help: 'a Node or V8 flag for the workers only (e.g. --max-old-space-size=512); repeatable',
    docDefault: 'none',
    doc: "a Node or V8 flag the workers are started with, never the master: `--max-old-space-size=512`, `--enable-source-maps`, `--env-file=.env`; a value goes after `=`. Repeatable. Tried on this Node at start and on `HUP` (as the workers' user): a flag Node refuses is exit 2 with Node's own words. Flags that would run other code (`-e`, `--test`, `--watch`, …) are refused; preloads go in `--import`/`--require`",
    check: checkNodeOption,
    show: (c) => c.workerNode.nodeOptions.join(' ') || '(none)',
  },
  umask: {
    flags: '-m, --umask <mask>', type: 'string',
    help: 'file mode creation mask, octal (e.g. 027), for the master and its workers: unix sockets, logs, pidfile',
    helpDefault: 'inherited', docDefault: 'inherited',
    doc: 'the file mode creation mask (octal, e.g. `027`) of the master, set before it creates anything (error log, unix sockets, pidfile) and inherited by the workers',
    check: (_name: string, value: unknown) => checkUmask(value),
    show: (c) => formatUmask(c.umask),
  },
  logFileMode: {
    flags: '--log-file-mode <mode>', type: 'string', helpDefault: '0640', docDefault: '`0640`',
    help: 'octal mode of the log files statefork creates (error log, access log, --record), before the umask',
    doc: 'the mode (octal) of each log file statefork creates: the error log, the access log (given to `--user`) and `--record`; the umask applies on top, a file already there keeps its own. The default lets no other user read what the app logs; `0644` is the old behaviour',
    check: (_name: string, value: unknown) => checkFileMode(value ?? LOG_FILE_MODE),
    show: (c) => formatFileMode(c.logFileMode),
  },
  workerTmpDir: {
    flags: '--worker-tmp-dir <dir>', type: 'string',
    help: 'directory for the heartbeat files',
    helpDefault: '/dev/shm when usable', docDefault: '`/dev/shm` when writable, else the system temp dir',
    doc: 'where the heartbeat files live (tmpfs is best: a heartbeat must never wait on a disk)',
    check: path,
    show: (c) => c.workerTmpDir,
  },
  pid: {
    flags: '-p, --pid <file>', type: 'string',
    help: 'write the master pid to this file (removed on exit)',
    docDefault: 'none',
    doc: "write the master's pid here (atomically); refused if it names a running statefork master; a stale file (its process gone, or its pid now another program's) is replaced, with a warning; removed on exit, only if it is still ours",
    check: path,
    show: (c) => c.pidfile ?? '(none)',
  },
  name: {
    flags: '-n, --name <name>', type: 'string',
    help: 'name in process titles; when given, also the label name on every metric',
    helpDefault: 'the app path', docDefault: 'the app path',
    doc: "the name in process titles; when given, every metric carries it as the label `name` (which of a fleet's masters, beside Prometheus's `instance`; see Running many masters)",
    check: checkString,
    show: (c) => c.name,
  },
  logLevel: {
    flags: '--log-level <level>', type: 'string', default: DEFAULT_LOG_LEVEL, choices: LOG_LEVELS,
    help: 'log level',
    doc: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`',
    check: checkChoice(LOG_LEVELS),
    show: (c) => c.logLevel,
  },
  errorLog: {
    flags: '--error-log <file>', type: 'string', default: '-',
    help: 'log file, or - for stderr',
    docDefault: '`-` (stderr)',
    doc: "where the master and workers log. A file is the master's alone: workers send their records to the master, which writes them. Opened without following a link, only a regular file; a write that fails (a full disk) is counted, never fatal",
    check: checkString,
    show: (c) => c.errorLog,
  },
} satisfies Partial<Record<TableKey, OptionRow>>;
