/** The worker's PROXY header reader and the client-error counter, on real sockets in this process. */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countProxyHeadersOnPlainBinds } from '../../../src/worker/client-errors.js';
import { proxyOf } from '../../../src/worker/proxy-info.js';
import { proxyReader, trustedPeers } from '../../../src/worker/proxy-protocol.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listening(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as net.AddressInfo).port;
}

function talk(port: number, data: string, from?: string): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', ...(from ? { localAddress: from } : {}) }, () => c.write(data));
    let text = '';
    c.on('data', (d) => {
      text += d;
    });
    c.on('error', () => {});
    c.on('close', () => resolve(text));
  });
}

describe('trustedPeers', () => {
  it('believes the listed ranges, a unix peer (no address), everyone for *, and no one else', () => {
    const t = trustedPeers(['10.0.0.0/8', '::1']);
    expect([t('10.2.3.4'), t('::ffff:10.2.3.4'), t('::1'), t(undefined)]).toEqual([true, true, true, true]);
    expect([t('11.0.0.1'), t('127.0.0.1'), t('::2'), t('not an address'), t('')]).toEqual([false, false, false, false, false]);
    expect(trustedPeers(['*'])('203.0.113.1')).toBe(true);
  });
});

describe('proxyReader', () => {
  it('hands on a socket that reports the client, with what followed the header intact', async () => {
    const reader = proxyReader(trustedPeers(['127.0.0.1']), 1000);
    const seen: string[] = [];
    const port = await listening(
      net.createServer((socket) =>
        reader.read(socket, (s) => {
          s.on('data', (d) => {
            seen.push(`${s.remoteAddress}:${s.remotePort}/${s.remoteFamily} ${proxyOf(s)?.version} ${d}`);
            s.end();
          });
        }),
      ),
    );
    await talk(port, 'PROXY TCP6 2001:db8::9 2001:db8::1 7 8\r\nhello');
    expect(seen).toEqual(['2001:db8::9:7/IPv6 1 hello']);
    expect(reader.rejected).toEqual({ untrusted: 0, missing: 0, malformed: 0, 'too-long': 0, timeout: 0, unexpected: 0 });
  });

  it('closes and counts: an untrusted peer at once, a reset or a close mid-header without a throw, a slow header at its timeout', async () => {
    const reader = proxyReader(trustedPeers(['127.0.0.1']), 300);
    let handed = 0;
    const port = await listening(
      net.createServer((socket) =>
        reader.read(socket, () => {
          handed++;
        }),
      ),
    );
    await talk(port, 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n', '127.0.0.2');
    await new Promise<void>((ok) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.write('PROXY TC');
        c.resetAndDestroy();
        ok();
      });
    });
    await talk(port, ''); // connects and says nothing
    await talk(port, 'PROXY TCP4 1.2');
    expect(handed).toBe(0);
    await new Promise((ok) => setTimeout(ok, 50));
    expect(reader.rejected).toMatchObject({ untrusted: 1, timeout: 2, missing: 0 });
  });

  it('counts a header that ends with the connection: missing with no bytes, malformed with some', async () => {
    const reader = proxyReader(trustedPeers(['127.0.0.1']), 5000);
    const port = await listening(net.createServer((socket) => reader.read(socket, () => {})));
    await new Promise<void>((ok) => {
      const c = net.connect(port, '127.0.0.1', () => c.end());
      c.on('close', () => ok());
    });
    await new Promise<void>((ok) => {
      const c = net.connect(port, '127.0.0.1', () => c.end('PROXY TCP4 1.'));
      c.on('close', () => ok());
    });
    expect(reader.rejected).toMatchObject({ missing: 1, malformed: 1 });
  });
});

describe('countProxyHeadersOnPlainBinds', () => {
  it("answers as Node does, counting PROXY headers only; an app's own clientError listener answers instead", async () => {
    let counted = 0;
    const server = http.createServer((_q, r) => r.end('ok'));
    countProxyHeadersOnPlainBinds(server, () => {
      counted++;
    });
    const port = await listening(server);
    expect((await talk(port, 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n')).split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect((await talk(port, 'BREW / HTTP/1.1\r\n\r\n')).split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect((await talk(port, `GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`)).split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(counted).toBe(1);
    server.on('clientError', (_e, socket: net.Socket) => socket.end("HTTP/1.1 418 I'm a teapot\r\n\r\n"));
    expect((await talk(port, 'BREW / HTTP/1.1\r\n\r\n')).split('\r\n')[0]).toBe("HTTP/1.1 418 I'm a teapot");
  });
});
