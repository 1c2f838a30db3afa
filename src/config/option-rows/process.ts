/**
 * The option table's rows for the processes: TLS, reloading, the upgrade, the daemon and the
 * workers' logs (who they run as and where: ./environment.ts).
 */
import { resolve } from 'node:path';
import { DEFAULT_ACCESS_FORMAT } from '../../../machines/worker-settings.js';
import { checkBoolean, checkString } from '../checks.js';
import type { OptionRow, TableKey } from '../option-row.js';
import { checkLogRate, formatLogRate } from '../process-options.js';
import { checkPemFile } from '../tls.js';

const TLS_DOC =
  'serve HTTPS on every bind (unix sockets too) with this PEM certificate and key; the workers read the files when they start, so a `HUP` picks up renewed ones. A request listener or `fetch` app is served over TLS; an app that exports its own server must export an `https.Server`, and an app that listens itself must make an `https.Server` (a plain one is refused, exit 4: see Apps that listen themselves)';
/** No ordinary app writes this much: a request logged 5000 times a second, or 4 MiB of it. */
const DEFAULT_LOG_RATE = '5000:4MiB';
const path = (name: string, value: unknown) => resolve(checkString(name, value));

export const PROCESS_ROWS = {
  certfile: {
    flags: '--certfile <file>',
    type: 'string',
    help: 'serve HTTPS on every bind with this PEM certificate (with --keyfile)',
    docDefault: 'off',
    doc: TLS_DOC,
    check: checkPemFile,
    show: (c) => c.tls?.cert ?? '(off)',
  },
  keyfile: {
    flags: '--keyfile <file>',
    type: 'string',
    help: 'the PEM private key for --certfile',
    check: checkPemFile,
    show: (c) => c.tls?.key ?? '(off)',
  },
  caCerts: {
    flags: '--ca-certs <file>',
    type: 'string',
    help: 'PEM CA certificates to send along (intermediate chain)',
    docDefault: 'none',
    doc: 'PEM certificates sent along with `--certfile` (the intermediate chain)',
    check: checkPemFile,
    show: (c) => c.tls?.ca ?? '(off)',
  },
  http2: {
    flags: '--http2',
    type: 'flag',
    default: false,
    help: 'serve HTTP/2 on the TLS binds (ALPN), HTTP/1.1 to the clients that ask for it; needs --certfile',
    doc: "serve HTTP/2 on the TLS binds, chosen by ALPN, with HTTP/1.1 for the clients that ask for it. A request listener is served through Node's HTTP/2 compatibility API, a `fetch` app through its adapter; a drain sends GOAWAY and lets the open streams finish (see HTTP/2). Needs `--certfile` and `--keyfile`",
    check: checkBoolean('http2'),
    show: (c) => c.http2,
  },
  reload: {
    flags: '--reload',
    type: 'flag',
    default: false,
    help: "development: reload (as HUP) when a file in the app's directory changes",
    doc: "**development only**: a change to a file in the app's directory (not its subdirectories) reloads the workers exactly as `HUP` does, after 300 ms of quiet; an edit that breaks the app keeps the old workers serving and logs why",
    check: checkBoolean('reload'),
    show: (c) => (c.reload ? ['on', ...c.reload.extraFiles].join(', ') : '(off)'),
  },
  reloadExtraFile: {
    flags: '--reload-extra-file <file>',
    type: 'list',
    help: 'with --reload, also watch this file; repeatable',
    docDefault: 'none',
    doc: 'with `--reload`, also watch this file; repeatable',
    check: path,
  },
  reusePort: {
    flags: '--reuse-port',
    type: 'flag',
    default: false,
    help: 'each worker binds the HOST:PORT binds itself with SO_REUSEPORT, the kernel spreads connections',
    helpDefault: 'off',
    doc: "each worker binds the `HOST:PORT` binds itself with `SO_REUSEPORT` and the kernel spreads new connections over the workers' sockets (unix and `fd://` binds stay the master's). Needs a fixed port. The trade-off: a worker's queue is its own, so connections the kernel put in a stopping worker's queue after its drain swept it are reset (Linux can migrate them with `sysctl net.ipv4.tcp_migrate_req=1`); without this option nothing queued is ever lost",
    check: checkBoolean('reusePort'),
    show: (c) => c.reusePort,
  },
  upgradeAuto: {
    flags: '--upgrade-auto',
    type: 'flag',
    default: false,
    help: 'hot upgrade in one step: after USR2 this master stops by itself once the new master serves (and serves on if it fails)',
    helpDefault: 'off',
    doc: 'hot upgrade in one step: after `USR2`, this master stops by itself (gracefully, as on `TERM`) as soon as the new master reports every worker ready; if the new master cannot boot, this one serves on (see Hot upgrade)',
    check: checkBoolean('upgradeAuto'),
    show: (c) => c.upgradeAuto,
  },
  daemon: {
    flags: '-D, --daemon',
    type: 'flag',
    default: false,
    help: 'run in the background: detach, and exit 0 once the workers serve (or non-zero with the reason); log with --error-log FILE',
    doc: "run in the background: the command starts a detached master (new session, no terminal, stdin/stdout/stderr on `/dev/null`) and exits 0 once its first generation serves, or with the failure's exit code and reason in one line. Give `--error-log FILE` (and `-p`): with `-` the log goes nowhere, and the command says so",
    check: checkBoolean('daemon'),
    show: (c) => c.daemon,
  },
  workerLogRate: {
    flags: '--worker-log-rate <records:bytes>',
    type: 'string',
    helpDefault: DEFAULT_LOG_RATE,
    docDefault: `\`${DEFAULT_LOG_RATE}\``,
    help: 'the most records and bytes a second each worker may put into the error log (log records and captured output); the rest is dropped and counted; 0: no limit',
    doc: "the most records and bytes a second each worker may put into the error log, its log records and `--capture-output` lines together (BYTES in bytes, `KiB` or `MiB`, at least 64KiB). Over it, the rest of that second's lines are dropped, the worker's pipes wait for the next second (its writes block meanwhile), and one record says how many were dropped (`event: log-dropped`; metric `statefork_worker_log_dropped_records_total`). `0`: no limit",
    check: (_name: string, value: unknown) => checkLogRate(value ?? DEFAULT_LOG_RATE),
    show: (c) => formatLogRate(c.workerLogRate),
  },
  captureOutput: {
    flags: '--capture-output',
    type: 'flag',
    default: false,
    help: "send the workers' stdout and stderr to the error log, one record per line",
    doc: "what workers (your app) print on stdout and stderr becomes records of the error log, one per line, with the worker's id and pid",
    check: checkBoolean('captureOutput'),
    show: (c) => c.captureOutput,
  },
  accessLog: {
    flags: '--access-log <file>',
    type: 'string',
    help: 'write an access log line per request, from the workers (- for stdout)',
    helpDefault: 'off',
    docDefault: 'off',
    doc: 'one line per request, written by the workers; `-` for stdout. Lines never interleave; `USR1` reopens it',
    check: (name: string, value: unknown) => (checkString(name, value) === '-' ? '-' : path(name, value)),
    show: (c) => c.accessLog ?? '(off)',
  },
  accessLogFormat: {
    flags: '--access-log-format <format>',
    type: 'string',
    default: DEFAULT_ACCESS_FORMAT,
    help: "gunicorn's atoms (%(h)s %(r)s %(s)s %(D)s %({header}i)s ...), or json for one record per request",
    helpDefault: 'the common log format plus referer and user agent',
    doc: "gunicorn's atoms: `h` remote address, `t` time, `r` request line, `m` method, `U` path, `q` query, `s` status, `b` body bytes, `f` referer, `a` user agent, `D` microseconds, `L` seconds, `p` pid, `{header}i` a request header, `{header}o` a response header; or `json` for one JSON record per request",
    check: checkString,
    show: (c) => c.accessLogFormat,
  },
  // user and group are checked together, with the master's own identity (identity.ts).
} satisfies Partial<Record<TableKey, OptionRow>>;
