/**
 * The live inspector's HTTP server (--inspector): the page, the two diagrams, a stream of steps
 * (Server-Sent Events), the workers as the master sees them now with their recent figures, and,
 * with --inspector-controls, the controls (./controls.ts). A new page first gets the recent
 * history, then every step live. It binds to loopback unless told otherwise: it shows pids and
 * timings, not for the internet. Bounded: MAX_STREAMS pages at once, none that stops reading.
 */
import type { Connections, WorkerLoad } from '../../machines/protocol.js';
import type { HangRecord } from '../../machines/watchdog-protocol.js';
import type http from 'node:http';
import { PAGE, PAGE_HEADERS } from './page.js';
import type { InspectorHub, LiveWorker, Step } from './hub.js';
import { handleControl, type PageControls } from './controls.js';
import type { Point } from './history.js';
import { createLocalServer, listenLocal, type TakeOver } from '../local-http.js';

/** A page that stops reading its stream is dropped once this much waits for it. */
export const MAX_UNREAD = 4 * 1024 * 1024;
/** Pages streaming at once; one more gets 503 (each holds a connection and a subscription). */
export const MAX_STREAMS = 16;

/** The workers' figures the page polls, by worker id, and the last hung worker's record. */
export interface InspectorFigures {
  requests(): Record<number, number>;
  connections(): Record<number, Connections>;
  load(): Record<number, WorkerLoad>;
  lastHang(): HangRecord | null;
  /** The adaptive count's figures now (null: a fixed count) and its latest decisions, newest first. */
  scaling(): unknown;
  /** Each worker's recent figures, oldest first (./history.ts). */
  history(): Record<number, Point[]>;
  /** The page's controls, once the master can take commands; null: off. */
  controls(): PageControls | null;
}

/** What the page reads to know what it shows: a live master (with or without controls) or a recording. */
export interface PageMode {
  replay: boolean;
  controls: boolean;
}

export interface Inspector {
  url: string;
  close(): Promise<void>;
}

export async function serveInspector(
  hub: { steps: Step[]; subscribe: InspectorHub['subscribe']; live?: InspectorHub['live'] },
  host: string,
  port: number,
  figures: Partial<InspectorFigures> = {},
  listen: { failure: (e: NodeJS.ErrnoException) => Error; takeOver?: TakeOver | null } = { failure: (e) => e },
): Promise<Inspector> {
  const replay = !hub.live;
  const json: Record<string, () => unknown> = {
    '/mode': (): PageMode => ({ replay, controls: !replay && Boolean(figures.controls?.()) }),
    '/workers': () => hub.live?.() ?? { state: null, workers: [] as LiveWorker[] },
    '/history': figures.history ?? (() => ({})),
    '/requests': figures.requests ?? (() => ({})),
    '/connections': figures.connections ?? (() => ({})),
    '/load': figures.load ?? (() => ({})),
    '/hang': figures.lastHang ?? (() => null),
    '/scaling': figures.scaling ?? (() => ({ now: null, decisions: [] })),
  };
  const { inspectorSvg } = await import('../../visualize/render.js');
  const svgs = { '/master.svg': await inspectorSvg('master'), '/worker.svg': await inspectorSvg('worker') };
  const clients = new Set<http.ServerResponse>();
  // One write to a client that reads: a client that does not gets dropped, never buffered for.
  const send = (res: http.ServerResponse, text: string) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(text);
    if (res.writableLength > MAX_UNREAD) res.destroy();
  };
  const server = createLocalServer('inspector', host, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') return void res.writeHead(200, PAGE_HEADERS).end(PAGE);
    if (path in svgs) return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(svgs[path as keyof typeof svgs]);
    if (path in json) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json[path]()));
    if (path === '/steps') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hub.steps));
    if (path === '/control') return handleControl(req, res, figures.controls?.() ?? null);
    if (path === '/events') {
      if (clients.size >= MAX_STREAMS)
        return void res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`at most ${MAX_STREAMS} pages stream at once: close one\n`);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      send(res, 'event: reset\ndata: {}\n\n');
      for (const step of hub.steps) send(res, `data: ${JSON.stringify(step)}\n\n`);
      clients.add(res);
      // A page that went away, or a server closing, must never turn into a write after end.
      const unsubscribe = hub.subscribe((step) => send(res, `data: ${JSON.stringify(step)}\n\n`));
      res.on('error', () => {});
      res.on('close', () => {
        unsubscribe();
        clients.delete(res);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  const listening = await listenLocal(server, host, port, { path: '/', ...listen });
  const bound = Number(new URL(listening.url).port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`,
    close: () =>
      new Promise((ok) => {
        for (const c of clients) c.end();
        server.once('close', () => ok());
        listening.close();
      }),
  };
}
