/**
 * Serves an app of the Web standard form, `fetch(Request) => Response`, from node:http, through
 * @hono/node-server's request listener: chosen by measurement (see the README's Benchmarks: a
 * Hono app through it costs what the same app's own Node listener costs, and 4 to 7 times less
 * CPU per request than the hand-written adapter it replaces) and for how it handles what a
 * server must: request bodies, aborts (the request's signal), Set-Cookie, HEAD, streamed
 * responses, and a Host header or request target that is not valid (400). Like every user of
 * it, it puts its lighter Request and Response in place of the global ones (instanceof still
 * holds for the built-in ones); it is loaded only by a worker serving this form.
 */
import type { RequestListener } from 'node:http';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { Logger } from '../record-log.js';

export type FetchApp = { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };

export function fetchListener(app: FetchApp, log: Logger): RequestListener {
  // The adapter awaits what fetch returns (a Response or its promise); its type says unknown.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  return getRequestListener((request, env) => app.fetch(request, env), {
    errorHandler: (err) => {
      // A request the adapter cannot turn into a Request (a bad Host, a bad target): the client's error.
      if (err instanceof RequestError)
        return new Response('Bad Request: the Host header or the request target is not valid\n', { status: 400, headers: { connection: 'close' } });
      log.error({ err }, 'fetch handler failed');
      return new Response('Internal Server Error\n', { status: 500 });
    },
  });
}
