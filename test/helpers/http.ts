/** Real HTTP clients for the tests (and the bench): single requests, request loops, free ports. */
import net from 'node:net';
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** `connected` resolves once the TCP handshake is done (the connection waits in the backlog, at least). */
export function get(
  url: string,
  opts: { agent?: http.Agent; socketPath?: string; path?: string; timeoutMs?: number; connected?: () => void } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = opts.socketPath ? { socketPath: opts.socketPath, path: opts.path ?? '/' } : new URL(url);
    const req = http.get(
      {
        ...(target instanceof URL ? { host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: target.pathname + target.search } : target),
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    if (opts.connected) req.once('socket', (s) => (s.connecting ? s.once('connect', () => opts.connected!()) : opts.connected!()));
  });
}

export interface LoopResult {
  ok: number;
  failures: string[];
  bodies: string[];
}

/**
 * Sends requests from `concurrency` clients until `stop()` returns true (and at most `maxMs`).
 * Keep-alive clients reuse their connection; the others open one per request.
 */
export function requestLoop(url: string, opts: { concurrency?: number; keepAlive?: boolean; maxMs?: number; stop: () => boolean }): Promise<LoopResult> {
  const result: LoopResult = { ok: 0, failures: [], bodies: [] };
  const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 4 }) : undefined;
  const deadline = Date.now() + (opts.maxMs ?? 30_000);
  const client = async () => {
    while (!opts.stop() && Date.now() < deadline) {
      try {
        const r = await get(url, { agent });
        if (r.status === 200) {
          result.ok++;
          result.bodies.push(r.body);
        } else result.failures.push(`status ${r.status}`);
      } catch (e) {
        result.failures.push((e as Error).message);
      }
    }
  };
  return Promise.all(Array.from({ length: opts.concurrency ?? 4 }, client)).then(() => {
    agent?.destroy();
    return result;
  });
}

/** Sends a request and resolves, with the reply still to come, once its connection is established. */
export async function connectedGet(url: string): Promise<{ reply: Promise<Reply> }> {
  let connected!: () => void;
  const isConnected = new Promise<void>((ok) => {
    connected = ok;
  });
  const reply = get(url, { connected });
  reply.catch(() => {});
  await isConnected;
  return { reply };
}

export const pidOf = (body: string) => Number(/from (\d+)/.exec(body)?.[1]);

/** A TCP port on loopback that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** `n` different such ports: each is held until all are picked, so none comes back twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = net.createServer();
      await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}
