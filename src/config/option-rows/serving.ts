/** The option table's rows for what is served and how: the app, sockets, workers, timeouts, limits. */
import { MAX_WORKERS } from '../../../machines/master.context.js';
import { DEFAULT_HTTP_LIMITS } from '../../../machines/worker-settings.js';
import { parseAppSpec } from '../app-spec.js';
import { parseBind } from '../bind.js';
import { checkBoolean, checkNice, checkPositiveInt, checkPositiveSeconds, checkSeconds, checkString, checkWholeNumber } from '../checks.js';
import { checkTrustList, DEFAULT_TRUSTED } from '../trust-list.js';
import type { OptionRow } from '../option-row.js';
import type { TableKey } from '../option-table.js';
import { checkWorkerCount } from '../worker-count.js';

export const SERVING_ROWS = {
  app: {
    flags: '[app]', type: 'string',
    help: 'module to serve: PATH or PATH:EXPORT (a request listener, a { fetch } object, or an http.Server)',
    docDefault: '(required, here or in the config file)',
    doc: 'the module to serve: `PATH` or `PATH:EXPORT`',
    check: (_name: string, value: unknown) => parseAppSpec(checkString('app', value)),
    show: (c) => c.app.text,
  },
  config: {
    flags: '-c, --config <file>', type: 'string',
    help: 'configuration file',
    helpDefault: 'statefork.config.{js,mjs,cjs,json} in the working directory, if any',
    docDefault: '`statefork.config.js`, `.mjs`, `.cjs` or `.json` in the working directory, if present',
    doc: 'the configuration file (see below)',
  },
  workers: {
    flags: '-w, --workers <n|MIN:MAX>', type: 'string',
    help: 'worker processes: a fixed count, or MIN:MAX to follow the load (MAX auto: the CPUs and memory allowed)',
    helpDefault: '$WEB_CONCURRENCY or the number of CPUs',
    docDefault: '`$WEB_CONCURRENCY`, else the number of CPUs',
    doc: 'worker processes: a fixed count (1 or more), or `MIN:MAX` for a count that follows the load between the two (`MIN:auto`: up to what the host allows, see [Adaptive worker count](#adaptive-worker-count))',
    check: checkWorkerCount,
    show: (c) => (c.scaling ? `${c.scaling.min}:${c.scaling.max ?? 'auto'}` : c.workers),
    defaultSource: () => (process.env.WEB_CONCURRENCY ? 'WEB_CONCURRENCY' : 'default (CPUs)'),
  },
  bootNice: {
    flags: '--boot-nice <n>', type: 'number', default: 10,
    help: 'a booting worker runs at this nice value (0 to 19; 0: off) until it is ready, so a reload yields to the workers that serve',
    doc: "a worker that boots while the ones it replaces still serve (a reload, a recycle) runs at this nice value above the master's (0 to 19; 0: off) until it reports ready, then at the master's: a reload boots beside the load without taking the cores from the workers that serve (see Benchmarks). A first boot, a scale-up and a crashed worker's replacement boot at full priority. Applied only by a master that can raise a priority again (CAP_SYS_NICE: root, outside most containers); otherwise logged once and not applied",
    check: checkNice,
    show: (c) => c.bootNice,
  },
  maxWorkers: {
    flags: '--max-workers <n>', type: 'number', default: MAX_WORKERS,
    help: 'the most workers TTIN and statefork scale may reach (adaptive: MAX)',
    docDefault: '1024 (adaptive: the host\'s ceiling)',
    doc: 'the most workers `TTIN` and `statefork scale` may reach; a `TTIN` at it is logged and ignored, a `scale` above it refused (exit 2). `--workers` must not exceed it. With an adaptive count it is MAX',
    check: checkPositiveInt,
    show: (c) => c.maxWorkers,
  },
  bind: {
    flags: '-b, --bind <address>', type: 'list',
    help: 'HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N, each optionally after proxy: (PROXY protocol); repeatable',
    helpDefault: '127.0.0.1:8000, or 0.0.0.0:$PORT',
    docDefault: '`127.0.0.1:8000`, or `0.0.0.0:$PORT` when `PORT` is set',
    doc: 'where to listen; repeatable. Forms: `HOST:PORT`, `[IPV6]:PORT`, `unix:PATH`, `fd://N`; each after `proxy:` (`proxy:0.0.0.0:8000`) for a bind behind a load balancer that sends the PROXY protocol, v1 or v2 (see Behind a load balancer)',
    check: (name: string, value: unknown) => parseBind(checkString(name, value)),
    show: (c) => c.binds.map((b) => b.text).join(', '),
  },
  forwardedAllowIps: {
    flags: '--forwarded-allow-ips <list>', type: 'string', default: DEFAULT_TRUSTED,
    help: "comma-separated addresses and CIDR ranges (or *) whose PROXY header and X-Forwarded-For are believed",
    helpDefault: '$FORWARDED_ALLOW_IPS or 127.0.0.1,::1',
    docDefault: '`$FORWARDED_ALLOW_IPS`, else `127.0.0.1,::1`',
    doc: "the peers statefork believes about the client: a comma-separated list of addresses and CIDR ranges, IPv4 and IPv6 (`10.0.0.0/8,2001:db8::/32`), or `*` for any (warned about at start). On a `proxy:` bind a PROXY header from any other peer closes the connection; from these, the client it names becomes the connection's remote address. Their `X-Forwarded-For` names the client in the access log; anyone else's is passed to the app untouched and not used. Peers on a unix socket are trusted (its file's permissions decide who connects). See Behind a load balancer",
    check: checkTrustList,
    show: (c) => c.forwardedAllowIps.join(','),
    defaultSource: () => (process.env.FORWARDED_ALLOW_IPS ? 'FORWARDED_ALLOW_IPS' : 'default'),
  },
  proxyHeaderTimeout: {
    flags: '--proxy-header-timeout <seconds>', type: 'number', default: 5,
    help: 'time a connection on a proxy: bind gets to send its whole PROXY header; then it is closed',
    doc: 'time a connection on a `proxy:` bind gets to send its whole PROXY header; a slower one is closed and counted (`statefork_proxy_header_rejected_total{reason="timeout"}`). More than 0',
    check: checkPositiveSeconds,
    show: (c) => c.proxyHeaderTimeout,
  },
  timeout: {
    flags: '-t, --timeout <seconds>', type: 'number', default: 30,
    help: 'kill a worker whose heartbeat is silent this long; 0 disables',
    doc: 'a worker whose heartbeat is silent this long is aborted (SIGABRT), then killed, and its stack is logged (see When a worker hangs); 0 disables',
    check: checkSeconds,
    show: (c) => c.timeout,
  },
  hangStacks: {
    flags: '--hang-stacks', type: 'flag', default: true,
    help: "each worker runs a watchdog that takes its JavaScript stack when it hangs, for the log (native: no memory to speak of; else a thread, about 12 MiB per worker)",
    helpDefault: 'on',
    docDefault: 'on',
    doc: "each worker runs a watchdog: when its heartbeat has stood still half of `--timeout`, it takes the main thread's JavaScript stack (through V8's interrupt, without waiting for the main thread), and the master logs it with the kernel's view when it aborts the worker (see When a worker hangs). The native watchdog (prebuilt for Node 22, 24 and 26 on linux-x64) costs no measurable memory; elsewhere a watchdog thread does the same for about 12 MiB per worker (the master says which at start). Nothing runs per request; `--no-hang-stacks` turns it off",
    check: checkBoolean('hangStacks'),
    show: (c) => c.hangStacks,
  },
  noHangStacks: {
    flags: '--no-hang-stacks', type: 'flag',
    help: 'run no watchdog thread in the workers',
  },
  gracefulTimeout: {
    flags: '--graceful-timeout <seconds>', type: 'number', default: 30,
    help: 'time a stopping worker gets before SIGKILL',
    doc: 'time a stopping or retired worker gets to finish before SIGKILL; shortly before it, the worker ends what is still open itself: WebSockets get a 1001 close (see Long-lived connections)',
    check: checkSeconds,
    show: (c) => c.gracefulTimeout,
  },
  bootTimeout: {
    flags: '--boot-timeout <seconds>', type: 'number', default: 60,
    help: 'time a worker gets to become ready; 0 disables',
    doc: 'time a worker gets to load the app and listen; 0 disables. An app that listens itself and has not by then fails with the reason (exit 4) just before it',
    check: checkSeconds,
    show: (c) => c.bootTimeout,
  },
  drainDelay: {
    flags: '--drain-delay <seconds>', type: 'number', default: 0,
    help: 'on TERM, keep serving normally this long before draining, so load balancers stop sending first (Kubernetes)',
    doc: "on `TERM`, keep serving normally (sockets open, workers accepting) this long before the graceful stop begins, so load balancers stop sending first (the reason for `preStop: sleep` in Kubernetes); `INT`/`QUIT` cut it short; checked on the master's tick",
    check: checkSeconds,
    show: (c) => c.drainDelay,
  },
  keepAlive: {
    flags: '--keep-alive <seconds>', type: 'number', default: 5,
    help: 'idle keep-alive connections are closed after this long',
    doc: 'idle keep-alive connections are closed after this long; 0 turns keep-alive off (each connection closes after its response)',
    check: checkSeconds,
    show: (c) => c.keepAlive,
  },
  maxHeaderSize: {
    flags: '--max-header-size <bytes>', type: 'number', default: DEFAULT_HTTP_LIMITS.maxHeaderSize,
    help: 'largest request line plus headers; larger gets 431',
    doc: 'largest request line plus headers a worker accepts; a larger request gets `431`',
    check: checkPositiveInt,
    show: (c) => c.maxHeaderSize,
  },
  headersTimeout: {
    flags: '--headers-timeout <seconds>', type: 'number', default: DEFAULT_HTTP_LIMITS.headersTimeoutMs / 1000,
    help: 'time a client gets to send the request headers; then 408; 0 disables',
    doc: 'time a client gets to send its headers; then `408` (checked every second)',
    check: checkSeconds,
    show: (c) => c.headersTimeout,
  },
  requestTimeout: {
    flags: '--request-timeout <seconds>', type: 'number', default: DEFAULT_HTTP_LIMITS.requestTimeoutMs / 1000,
    help: 'time a client gets to send the whole request; then 408; 0 disables',
    doc: 'time a client gets to send its whole request; then `408`; 0 disables; must not be below `--headers-timeout`',
    check: checkSeconds,
    show: (c) => c.requestTimeout,
  },
  maxRequests: {
    flags: '--max-requests <n>', type: 'number', default: 0,
    help: 'a worker that served this many requests is replaced (its replacement boots first); 0: never',
    docDefault: '0 (off)',
    doc: 'a worker that has received this many requests asks to be recycled: a replacement boots, and the worker is retired gracefully once the replacement is ready (see Recycling)',
    check: checkWholeNumber,
    show: (c) => c.recycle.maxRequests,
  },
  maxRequestsJitter: {
    flags: '--max-requests-jitter <n>', type: 'number', default: 0,
    help: 'add up to this many, at random per worker, to --max-requests so workers do not recycle together',
    doc: 'add a random 0..n, drawn by each worker, to `--max-requests`, so workers started together do not recycle together; needs `--max-requests`',
    check: checkWholeNumber,
    show: (c) => c.recycle.maxRequestsJitter,
  },
  maxMemory: {
    flags: '--max-memory <MiB>', type: 'number', default: 0,
    help: 'a worker whose resident memory exceeds this is replaced, checked on each heartbeat; 0: never',
    docDefault: '0 (off)',
    doc: 'a worker whose resident memory (RSS) exceeds this asks to be recycled, the same way; checked on each heartbeat (at least once a second)',
    check: checkWholeNumber,
    show: (c) => c.recycle.maxMemoryMb,
  },
} satisfies Partial<Record<TableKey, OptionRow>>;
