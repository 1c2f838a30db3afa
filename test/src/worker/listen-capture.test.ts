import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureListen, describeListen, type CaptureOptions, type ListenCapture } from '../../../src/worker/listen-capture.js';

const noop = () => {};
let capture: ListenCapture | null = null;
const servers: net.Server[] = [];
afterEach(() => {
  capture?.restore();
  capture = null;
  for (const s of servers.splice(0)) s.close();
});

function start(options: Partial<CaptureOptions> = {}) {
  const passedThrough = vi.fn();
  const accepted: Array<[http.Server, string]> = [];
  capture = captureListen({
    accept: (server, asked) => {
      accepted.push([server, asked]);
      // No host: bound at once, as statefork's fd targets are (a host would be looked up first).
      return { port: 0 };
    },
    passedThrough,
    ...options,
  });
  return { capture, passedThrough, accepted };
}

const server = () => {
  const s = http.createServer((req, res) => res.end('ok'));
  servers.push(s);
  return s;
};
const listening = (s: net.Server) => new Promise<void>((ok) => (s.listening ? ok() : s.once('listening', () => ok())));

describe('describeListen: what the app asked for, in words', () => {
  it.each([
    [[3000], 'port 3000'],
    [['3000'], 'port 3000'],
    [[3000, '0.0.0.0', 511, noop], '0.0.0.0:3000'],
    [[3000, noop], 'port 3000'],
    [[{ port: 3000, host: 'localhost' }], 'localhost:3000'],
    [[{ port: 8080 }], 'port 8080'],
    [['/tmp/app.sock'], '/tmp/app.sock'],
    [[{ path: '/tmp/app.sock' }], '/tmp/app.sock'],
    [[{ fd: 5 }], 'fd 5'],
    [[], 'a random port'],
    [[noop], 'a random port'],
    [[{}], 'a random port'],
    [[{ port: 0 }], 'port 0'],
  ] as Array<[unknown[], string]>)('%j -> %s', (args, words) => expect(describeListen(args)).toBe(words));
});

describe('captureListen', () => {
  it("binds the first HTTP server's listen where accept says, synchronously, with the app's callback", async () => {
    const { capture, accepted } = start();
    const s = server();
    const callback = vi.fn();
    expect(s.listen(3999, '0.0.0.0', callback)).toBe(s);
    // As a real listen() on a port: the address is there at once.
    expect(s.address()).toMatchObject({ address: '::' });
    expect((s.address() as net.AddressInfo).port).not.toBe(3999);
    expect(accepted).toEqual([[s, '0.0.0.0:3999']]);
    expect(capture.captured).toEqual({ server: s, asked: '0.0.0.0:3999' });
    await expect(capture.next).resolves.toEqual({ server: s, asked: '0.0.0.0:3999' });
    await listening(s);
    await new Promise((ok) => setImmediate(ok));
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('holds the listen unbound when accept gives no target (--check-config)', async () => {
    const { capture } = start({ accept: () => null });
    const s = server();
    const callback = vi.fn();
    const own = s.listeners('listening').length;
    s.listen(3000, callback);
    expect(s.listening).toBe(false);
    expect(capture.captured?.server).toBe(s);
    expect(s.listeners('listening')).toHaveLength(own + 1);
  });

  it('passes a second HTTP server through to Node, and says so, unless it asks for a free port', async () => {
    const { passedThrough } = start();
    server().listen(3000);
    const second = server().listen(0, '127.0.0.1');
    await listening(second);
    expect(passedThrough).not.toHaveBeenCalled();
    const third = server().listen({ port: 0, host: '127.0.0.1' });
    await listening(third);
    expect(passedThrough).not.toHaveBeenCalled();
    const probe = net.createServer();
    servers.push(probe);
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    const fixed = server().listen(port, '127.0.0.1');
    await listening(fixed);
    expect((fixed.address() as net.AddressInfo).port).toBe(port);
    expect(passedThrough).toHaveBeenCalledWith(`127.0.0.1:${port}`);
  });

  it('never takes a plain TCP server (not HTTP): passed through unchanged', async () => {
    const { capture, accepted } = start();
    const tcp = net.createServer();
    servers.push(tcp);
    tcp.listen(0, '127.0.0.1');
    await listening(tcp);
    expect(accepted).toEqual([]);
    expect(capture.captured).toBeNull();
  });

  it('a refusal leaves the server unbound, rejects next and is kept as refused', async () => {
    const refusal = new Error('no plain HTTP under --certfile');
    const { capture } = start({
      accept: () => {
        throw refusal;
      },
    });
    const s = server();
    expect(s.listen(3000)).toBe(s);
    expect(s.listening).toBe(false);
    expect(capture.refused).toBe(refusal);
    expect(capture.captured).toBeNull();
    await expect(capture.next).rejects.toBe(refusal);
  });

  it("an exported server's own listens are statefork's: passed through quietly, never captured", async () => {
    const { capture, accepted, passedThrough } = start();
    const exported = server();
    capture.serveExported(exported);
    const probe = net.createServer();
    servers.push(probe);
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as net.AddressInfo).port;
    probe.close();
    exported.listen(port, '127.0.0.1');
    await listening(exported);
    expect(accepted).toEqual([]);
    expect(passedThrough).not.toHaveBeenCalled();
  });

  it('restore puts back Node’s listen', () => {
    const before = net.Server.prototype.listen;
    const { capture } = start();
    expect(net.Server.prototype.listen).not.toBe(before);
    capture.restore();
    expect(net.Server.prototype.listen).toBe(before);
  });
});
