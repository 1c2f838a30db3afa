/**
 * The bundled example app (`npm start`): a plain Node request listener, the first of the three
 * forms statefork accepts. It says which worker answered, so reloads and scaling can be watched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const bootedAt = new Date().toISOString();

export default function hello(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`hello from worker ${process.env.STATEFORK_WORKER_ID} (pid ${process.pid}, up since ${bootedAt}): ${req.method} ${req.url}\n`);
}
