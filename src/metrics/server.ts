/** The metrics endpoint (--metrics HOST:PORT): GET /metrics in Prometheus's text format. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateforkError } from '../errors.js';
import type { MasterMetrics } from './master-metrics.js';
import { guardLocalServer } from '../local-http.js';

export async function serveMetrics(metrics: MasterMetrics, host: string, port: number): Promise<{ url: string; close(): void }> {
  const server = http.createServer();
  guardLocalServer(server, host, (req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
    }
    metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new StateforkError('SF_BIND_FAILED', `cannot serve metrics at ${host}:${port}: ${e.code ?? e.message}; choose another --metrics address`)));
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}/metrics`,
    close: () => { server.closeAllConnections(); server.close(); },
  };
}
