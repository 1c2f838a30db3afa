/**
 * node:http and node:https for statefork's own code, loaded as CommonJS. An ESM import of a
 * built-in reads every one of its exports to build the namespace, and node:http's lazy
 * `WebSocket` export then loads undici's WebSocket client: 13 MiB of memory on Node 24, in every
 * worker and the master, for something statefork never uses (measured: a bare process 41 MiB,
 * `import 'node:http'` 58 MiB, `require('node:http')` 45 MiB). node:https (TLS, its crypto) is
 * loaded only when something asks for it: a worker with --certfile, or an app's own https.Server.
 * The module objects are the same ones an app's `import http from 'node:http'` gets.
 */
import { createRequire } from 'node:module';
import type HttpModule from 'node:http';
import type HttpsModule from 'node:https';

const load = createRequire(import.meta.url);

export const http = load('node:http') as typeof HttpModule;

let httpsModule: typeof HttpsModule | null = null;
export const https = (): typeof HttpsModule => (httpsModule ??= load('node:https') as typeof HttpsModule);

/**
 * Whether `server` is an https.Server. Only a TLS server has setSecureContext, and TLS is loaded
 * by then: a plain server never makes this load node:https.
 */
export const isHttpsServer = (server: object): boolean => typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function' && server instanceof https().Server;
