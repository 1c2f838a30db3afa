/**
 * The option table's rows for what watches the master (inspector, control socket, metrics,
 * recording) and the command line's own switches.
 */
import { resolve } from 'node:path';
import { checkBoolean, checkString, usage } from '../checks.js';
import { controlSocketOption } from '../control-socket.js';
import { inspectorAddress, listenAddress } from '../inspector-address.js';
import type { OptionRow, TableKey } from '../option-row.js';
import { DEFAULT_INSPECTOR } from '../types.js';

const CONTROL_SOCKET_DEFAULT = '`/run/statefork/<pid>.sock` for root, else `$XDG_RUNTIME_DIR/statefork/<pid>.sock` (or `<tmpdir>/statefork-<uid>/<pid>.sock`)';
const address = (a: { host: string; port: number } | null) => (a ? `${a.host}:${a.port}` : '(off)');

function checkWebSocketUrl(name: string, value: unknown): string {
  const url = checkString(name, value);
  if (!/^wss?:\/\/[^/\s]+/.test(url)) usage(`invalid ${name} '${url}': expected a WebSocket address (e.g. ${name} ws://127.0.0.1:8080)`);
  return url;
}

export const VIEW_ROWS = {
  inspector: {
    flags: '--inspector [address]',
    type: 'string',
    help: `serve the live inspector at HOST:PORT (loopback unless you say otherwise) [address: ${DEFAULT_INSPECTOR}]`,
    docDefault: `off; \`${DEFAULT_INSPECTOR}\` when given without an address`,
    doc: 'serve the live inspector (see below). It shows pids and timings: keep it on loopback unless you mean it',
    check: (_name: string, value: unknown) => (value === false ? null : inspectorAddress(value)),
    show: (c) => address(c.inspector),
  },
  inspectorControls: {
    flags: '--inspector-controls',
    type: 'flag',
    default: false,
    help: "the inspector page may scale, reload, reopen, stop and kill workers, with the run's token (statefork dashboard-url)",
    helpDefault: 'off',
    doc: "the inspector page gets controls (scale, reload, reopen logs, stop, kill a worker), the control socket's own commands. Each request needs this run's token, which is never logged: `statefork dashboard-url` prints the page's address with it (over the 0600 control socket), or `--inspector-token-file` writes it; and the inspector's own `Host` and `Origin` and a JSON body; see Live inspector. Needs `--inspector`",
    check: checkBoolean('inspectorControls'),
    show: (c) => c.inspectorControls,
  },
  inspectorTokenFile: {
    flags: '--inspector-token-file <file>',
    type: 'string',
    help: "also write the controls' token to this file, mode 0600, owned by the master's user (removed on exit)",
    helpDefault: 'none',
    docDefault: 'none',
    doc: "also write the token of `--inspector-controls` to this file: created new (mode 0600, owned by the master's user, never through a link), replaced on a hot upgrade, removed on exit. Needs `--inspector-controls`",
    check: (name: string, value: unknown) => resolve(checkString(name, value)),
    show: (c) => c.inspectorTokenFile ?? '(none)',
  },
  controlSocket: {
    flags: '--control-socket <path>',
    type: 'string',
    help: 'answer statefork status, workers, scale, ... on this unix socket (mode 0600)',
    helpDefault: '/run/statefork/<pid>.sock for root, else $XDG_RUNTIME_DIR/statefork/<pid>.sock',
    docDefault: CONTROL_SOCKET_DEFAULT,
    doc: "the unix socket `statefork status`, `workers`, `scale`, ... talk to (see Control socket), mode 0600, in a directory only the master's user can enter (a default directory that is a link, another user's, or open to others is refused, exit 1). A live master's socket at that path is refused (exit 1), a dead one's replaced; removed on exit. `--no-control-socket` serves none. A `HUP` keeps the socket it started with",
    check: (_name: string, value: unknown) => controlSocketOption(value),
    show: (c) => c.controlSocket?.path ?? '(off)',
  },
  noControlSocket: {
    flags: '--no-control-socket',
    type: 'flag',
    help: 'serve no control socket',
  },
  metrics: {
    flags: '--metrics <address>',
    type: 'string',
    help: 'serve Prometheus metrics at HOST:PORT (or PORT, on loopback) /metrics',
    helpDefault: 'off',
    docDefault: 'off',
    doc: 'serve Prometheus metrics at `http://HOST:PORT/metrics` (a bare `PORT` means `127.0.0.1:PORT`: they show pids and timings, keep them on loopback unless you mean it); needs the package `prom-client` (`npm install prom-client`); see Metrics',
    check: (name: string, value: unknown) => listenAddress(name, value, '127.0.0.1:9100'),
    show: (c) => address(c.metrics),
  },
  health: {
    flags: '--health <address>',
    type: 'string',
    help: 'serve the health endpoints /readyz, /livez, /startupz at HOST:PORT (or PORT, on loopback)',
    helpDefault: 'off',
    docDefault: 'off',
    doc: "serve the health endpoints at `http://HOST:PORT/readyz`, `/livez` and `/startupz` for an orchestrator's probes and a load balancer's checks, answered by the master (a bare `PORT` means `127.0.0.1:PORT`; a Kubernetes probe comes from outside the pod: `0.0.0.0:PORT`). `/readyz` is 503 from the moment a stop begins; see Running many masters",
    check: (name: string, value: unknown) => listenAddress(name, value, '127.0.0.1:9101'),
    show: (c) => address(c.health),
  },
  inspectStately: {
    flags: '--inspect-stately <url>',
    type: 'string',
    help: 'also forward the inspection events to a Stately inspector relay (@statelyai/inspect), e.g. ws://127.0.0.1:8080',
    docDefault: 'off',
    doc: 'also forward the inspection events to a Stately inspector relay over WebSocket (see below); needs the package `@statelyai/inspect`',
    check: checkWebSocketUrl,
    show: (c) => c.inspectStately ?? '(off)',
  },
  record: {
    flags: '--record <file>',
    type: 'string',
    help: 'write every step of the master to this file as JSON lines (replay: statefork visualize --replay FILE)',
    docDefault: 'off',
    doc: 'write every step of the master (state, workers, cause) as JSON lines, for `statefork visualize --replay FILE`; started afresh, never through a link',
    check: (name: string, value: unknown) => resolve(checkString(name, value)),
    show: (c) => c.record ?? '(off)',
  },
  printConfig: {
    flags: '--print-config',
    type: 'flag',
    help: 'print the effective configuration, with where each value came from, and exit',
    docDefault: '',
    doc: 'print the effective configuration, with where each value came from, and exit 0',
  },
  checkConfig: {
    flags: '--check-config',
    type: 'flag',
    help: 'load the configuration and the app, report what is wrong, and exit without serving',
    docDefault: '',
    doc: "load the configuration and the app without serving; exit 0, or the error's code with one line",
  },
  version: {
    flags: '-v, --version',
    type: 'flag',
    builtIn: true,
    help: 'output the version number',
    docDefault: '',
    doc: 'print and exit 0',
  },
  help: {
    flags: '-h, --help',
    type: 'flag',
    builtIn: true,
    help: 'display help for command',
  },
} satisfies Partial<Record<TableKey, OptionRow>>;
