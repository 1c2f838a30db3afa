/**
 * The live inspector's HTTP server (--inspector): the page, the two diagrams, and a stream of
 * steps (Server-Sent Events). A new page first gets the recent history, then every step live.
 * It binds to loopback unless told otherwise: it shows pids and timings, not for the internet.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAGE } from './page.js';
import type { InspectorHub, Step } from './hub.js';

export interface Inspector {
  url: string;
  close(): Promise<void>;
}

export async function serveInspector(
  hub: { steps: Step[]; subscribe: InspectorHub['subscribe'] }, host: string, port: number,
  requests: () => Record<number, number> = () => ({}),
): Promise<Inspector> {
  const { render } = await import('../../visualize/render.js');
  const svgs = { '/master.svg': await render('master', 'svg'), '/worker.svg': await render('worker', 'svg') };
  const clients = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    if (path in svgs) return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(svgs[path as keyof typeof svgs]);
    if (path === '/requests') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests()));
    if (path === '/steps') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hub.steps));
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write('event: reset\ndata: {}\n\n');
      for (const step of hub.steps) res.write(`data: ${JSON.stringify(step)}\n\n`);
      clients.add(res);
      // A page that went away, or a server closing, must never turn into a write after end.
      const unsubscribe = hub.subscribe((step) => { if (!res.writableEnded) res.write(`data: ${JSON.stringify(step)}\n\n`); });
      res.on('error', () => {});
      res.on('close', () => { unsubscribe(); clients.delete(res); });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`,
    close: () => new Promise((ok) => {
      for (const c of clients) c.end();
      server.close(() => ok());
    }),
  };
}
