/**
 * Node's built-in modules for statefork's own code, loaded as CommonJS. An ESM import of a
 * built-in reads every one of its exports to build the namespace, and some exports are lazy
 * getters that load much more: node:http's `WebSocket` loads undici's WebSocket client (13 MiB on
 * Node 24), node:fs's `promises` loads fs/promises with readline and the REPL's history (34
 * modules, 3.4 MiB), node:crypto's `webcrypto` all of WebCrypto (39 modules, 4.1 MiB), node:util 34 modules.
 * Measured on Node 24 over a bare process: `import 'node:http'` +16 MiB against `require` +4;
 * the master's other built-ins imported +11 MiB, required +4.7. So what every process needs is
 * required here, and what only some need (https, crypto, dns, perf_hooks' histogram,
 * worker_threads) is required when first asked for. The module objects are the same ones an
 * app's own `import` gets.
 */
import { createRequire } from 'node:module';
import type HttpModule from 'node:http';
import type HttpsModule from 'node:https';
import type Http2Module from 'node:http2';
import type FsModule from 'node:fs';
import type CryptoModule from 'node:crypto';
import type PerfHooksModule from 'node:perf_hooks';
import type WorkerThreadsModule from 'node:worker_threads';
import type OsModule from 'node:os';
import type UtilModule from 'node:util';
import type ChildProcessModule from 'node:child_process';
import type DnsPromisesModule from 'node:dns/promises';

const load = createRequire(import.meta.url);
// The caller names the module's type (typeof import('node:http2')): T is what it promises.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const lazy = <T>(name: string): (() => T) => {
  let loaded: T | null = null;
  return () => (loaded ??= load(name) as T);
};

export const http = load('node:http') as typeof HttpModule;
export const fs = load('node:fs') as typeof FsModule;

/** TLS, with its crypto: a worker with --certfile, or an app's own https.Server. */
export const https = lazy<typeof HttpsModule>('node:https');
/** HTTP/2: a worker with --http2 only. */
export const http2 = lazy<typeof Http2Module>('node:http2');
/** timingSafeEqual for the dashboard's token (random bytes come from randomHex, below). */
export const crypto = lazy<typeof CryptoModule>('node:crypto');

/**
 * `bytes` random bytes in hex, from the kernel's generator (/dev/urandom, what crypto.randomBytes
 * reads too): names of temporary and heartbeat files, the dashboard's token. Read directly, so
 * that a master that never serves the dashboard does not load node:crypto (39 modules, 4 MiB).
 */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    let got = 0;
    while (got < bytes) got += fs.readSync(fd, buf, got, bytes - got, null);
  } finally {
    fs.closeSync(fd);
  }
  return buf.toString('hex');
}
/** The master's: the host's CPUs and memory, spawning workers, system error names. */
export const os = lazy<typeof OsModule>('node:os');
export const util = lazy<typeof UtilModule>('node:util');
export const childProcess = lazy<typeof ChildProcessModule>('node:child_process');
/** Resolving a host name in --bind. */
export const dnsPromises = lazy<typeof DnsPromisesModule>('node:dns/promises');
/** monitorEventLoopDelay: the worker's load meter; performance.now() in the master's timings. */
export const perfHooks = lazy<typeof PerfHooksModule>('node:perf_hooks');
/** The JavaScript watchdog thread, where the native one cannot load. */
export const workerThreads = lazy<typeof WorkerThreadsModule>('node:worker_threads');

/**
 * Whether `server` is an https.Server. Only a TLS server has setSecureContext, and TLS is loaded
 * by then: a plain server never makes this load node:https.
 */
export const isHttpsServer = (server: object): boolean =>
  typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function' && server instanceof https().Server;
