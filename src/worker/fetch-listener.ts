/** Serves an app of the Web standard form, `fetch(Request) => Response`, from node:http. */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Logger } from '../log.js';

/** A Host header value: a name or an IP literal, and a port. Nothing that could end the authority. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?$/;

/**
 * The request's URL, from its target: origin-form (`/path?q`) under the Host it named, which must
 * be a host and nothing more (`Host: x/admin?` would otherwise turn `GET /public` into
 * `/admin`); absolute-form as sent, if http(s). null: a request to answer 400.
 */
export function requestUrl(target: string, host: string | undefined, secure: boolean): string | null {
  const scheme = secure ? 'https' : 'http';
  if (target.startsWith('/') || target === '*') {
    if (host !== undefined && !HOST.test(host)) return null;
    try {
      return new URL(`${scheme}://${host ?? 'localhost'}${target === '*' ? '/*' : target}`).href;
    } catch {
      return null;
    }
  }
  try {
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function toRequest(req: IncomingMessage, url: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // a header the Fetch API refuses is left out rather than failing the request
    }
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    signal,
    duplex: 'half',
  } as RequestInit);
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (!response.body || req.method === 'HEAD') {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
  }
  res.end();
}

export function fetchListener(app: { fetch: (r: Request) => Response | Promise<Response> }, log: Logger): RequestListener {
  return async (req, res) => {
    const url = requestUrl(req.url ?? '/', req.headers.host, Boolean((req.socket as { encrypted?: boolean }).encrypted));
    if (url === null) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('Bad Request: the Host header or the request target is not valid\n');
      return;
    }
    const aborted = new AbortController();
    res.once('close', () => { if (!res.writableFinished) aborted.abort(); });
    try {
      const response = await app.fetch(toRequest(req, url, aborted.signal));
      if (!(response instanceof Response)) throw new TypeError(`fetch() returned ${typeof response}, not a Response`);
      await writeResponse(response, req, res);
    } catch (e) {
      log.error({ err: e }, 'fetch handler failed');
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('Internal Server Error\n');
      } else res.destroy();
    }
  };
}
