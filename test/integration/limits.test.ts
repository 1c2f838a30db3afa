/** Request limits: Node's own, set by statefork; an oversized or slow request is refused and the worker keeps serving. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

/** Sends raw bytes and resolves with everything the server answered before closing. */
function raw(url: string, data: string, opts: { keepOpen?: boolean } = {}): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => (opts.keepOpen ? socket.write(data) : socket.end(data)));
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('request limits', () => {
  it('headers larger than --max-header-size get 431, and the worker keeps serving', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--max-header-size', '4096', 'hello.cjs']);
    const reply = await raw(m.url(), `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
    expect(await raw(m.url(), `GET / HTTP/1.1\r\nHost: x\r\nX-Small: ${'a'.repeat(1000)}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200 OK/);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('a client that never finishes its headers gets 408 after --headers-timeout', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--headers-timeout', '1', '--request-timeout', '2', 'hello.cjs']);
    const reply = await raw(m.url(), 'GET / HTTP/1.1\r\nHost: x\r\n', { keepOpen: true });
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect((await get(`${m.url()}/`)).status).toBe(200);
  });

  it('a headers timeout above the request timeout is refused at start', async () => {
    const r = startCli(['--headers-timeout', '10', '--request-timeout', '5', 'hello.cjs']);
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText()).toBe(
      "statefork: error: invalid --headers-timeout '10': it must not exceed --request-timeout (5); lower it or raise --request-timeout\n",
    );
  });
});
