/** The metrics endpoint (--metrics HOST:PORT): GET /metrics in Prometheus's text format. */
import { StateforkError } from '../errors.js';
import type { MasterMetrics } from './master-metrics.js';
import { createLocalServer, listenLocal, type LocalListen, type TakeOver } from '../local-http.js';

/** `takeOver`: a hot upgrade's new master, which gets the address once the old master lets go. */
export async function serveMetrics(metrics: MasterMetrics, host: string, port: number, takeOver: TakeOver | null = null): Promise<LocalListen> {
  const server = createLocalServer('metrics', host, (req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
    }
    metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(e as Error).message}\n`),
    );
  });
  return listenLocal(server, host, port, {
    path: '/metrics',
    takeOver,
    failure: (e) => new StateforkError('SF_BIND_FAILED', `cannot serve metrics at ${host}:${port}: ${e.code ?? e.message}; choose another --metrics address`),
  });
}
