/**
 * The PROXY protocol on a bind, for real: a master and its workers, raw TCP clients that write
 * every kind of header (and every kind of bad one) byte for byte, clients from an address outside
 * the trust list (127.0.0.2: loopback, but not 127.0.0.1), the metrics that count each rejection,
 * and the access log that names the client.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServing, type Running } from '../helpers/cli.js';
import { eventually } from '../helpers/cli.js';

type Reply = { text: string; closedWithout: boolean };

/** Connects (from `from`, if given), writes each part with `gapMs` between, and reads until the server closes. */
function exchange(port: number, parts: Array<string | Buffer>, opts: { from?: string; gapMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', ...(opts.from ? { localAddress: opts.from } : {}) });
    let text = '';
    c.on('data', (d) => {
      text += d;
    });
    c.on('error', () => {
      /* a reset is an answer too: the text says what came before it */
    });
    c.on('close', () => resolve({ text, closedWithout: text === '' }));
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the parts are written in turn; nothing awaits the listener
    c.on('connect', async () => {
      for (const p of parts) {
        if (c.destroyed) return;
        c.write(p);
        if (opts.gapMs) await new Promise((ok) => setTimeout(ok, opts.gapMs));
      }
    });
  });
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const bodyOf = (r: Reply) => JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4).split('\n')[0]);

/** A v2 header: PROXY (or LOCAL) over TCP4, with the TLVs given. */
function v2(opts: { local?: boolean; src?: number[]; sport?: number; tlvs?: Array<[number, Buffer]>; lengthDelta?: number } = {}): Buffer {
  const tlvs = Buffer.concat((opts.tlvs ?? []).map(([t, v]) => Buffer.concat([Buffer.from([t, v.length >> 8, v.length & 0xff]), v])));
  const addr = Buffer.from([...(opts.src ?? [198, 51, 100, 7]), 10, 0, 0, 1, (opts.sport ?? 40000) >> 8, (opts.sport ?? 40000) & 0xff, 0, 80]);
  const len = addr.length + tlvs.length + (opts.lengthDelta ?? 0);
  const sig = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
  return Buffer.concat([sig, Buffer.from([opts.local ? 0x20 : 0x21, 0x11, len >> 8, len & 0xff]), addr, tlvs]);
}

const urls = (m: Running) => m.records.filter((x) => typeof x.url === 'string' && /^listening at/.test(x.msg)).map((x) => Number(new URL(x.url).port));

async function scrape(m: Running): Promise<Record<string, number>> {
  const url = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const [, reason, n] of text.matchAll(/^statefork_proxy_header_rejected_total\{reason="([^"]+)"\} (\d+)$/gm)) out[reason] = Number(n);
  return out;
}

describe('the PROXY protocol on a bind', () => {
  it('gives the app the client a v1 or v2 header names, LOCAL its own peer, and the TLVs through proxyOf', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'statefork-proxy-')), 'access.log');
    const m = await startServing(['-w', '1', '-b', 'proxy:127.0.0.1:0', '--access-log', log, 'client-address.cjs']);
    const [port] = urls(m);
    expect(m.records.find((x) => /^PROXY protocol on/.test(x.msg ?? ''))).toMatchObject({ forwardedAllowIps: '127.0.0.1,::1' });

    // v1, the header and two pipelined requests in one packet: both see the client.
    const two = await exchange(port, [`PROXY TCP4 203.0.113.9 10.0.0.1 51234 80\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n${GET}`]);
    expect(two.text.match(/"address":"203\.0\.113\.9","port":51234,"family":"IPv4"/g)).toHaveLength(2);
    // v1 over IPv6, written a byte at a time.
    const v6 = await exchange(port, [...Array.from('PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n'), GET], { gapMs: 1 });
    expect(bodyOf(v6)).toMatchObject({ address: '2001:db8::7', port: 4000, family: 'IPv6', proxy: { version: 1, command: 'proxy' } });
    // v2 with TLVs: the authority (SNI), ALPN and the client's TLS at the balancer.
    const ssl = Buffer.concat([Buffer.from([0x01, 0, 0, 0, 0]), Buffer.from([0x21, 0, 7]), Buffer.from('TLSv1.3')]);
    const withTlvs = await exchange(port, [
      Buffer.concat([
        v2({
          tlvs: [
            [0x02, Buffer.from('shop.example')],
            [0x01, Buffer.from('http/1.1')],
            [0x20, ssl],
          ],
        }),
        Buffer.from(GET),
      ]),
    ]);
    const seen = bodyOf(withTlvs);
    expect(seen).toMatchObject({ address: '198.51.100.7', port: 40000, family: 'IPv4' });
    expect(seen.proxy).toMatchObject({
      version: 2,
      command: 'proxy',
      source: { address: '198.51.100.7', port: 40000 },
      destination: { address: '10.0.0.1', port: 80 },
      peer: { address: '127.0.0.1' },
    });
    expect(seen.proxy.details).toMatchObject({ authority: 'shop.example', alpn: 'http/1.1', ssl: { client: 1, verified: true, version: 'TLSv1.3' } });
    // LOCAL: the balancer's own health check keeps the socket's own address.
    const local = bodyOf(await exchange(port, [Buffer.concat([v2({ local: true }), Buffer.from(GET)])]));
    expect(local).toMatchObject({ address: '127.0.0.1', proxy: { version: 2, command: 'local', source: null } });
    // v1 UNKNOWN: the same.
    expect(bodyOf(await exchange(port, [`PROXY UNKNOWN\r\n${GET}`]))).toMatchObject({ address: '127.0.0.1', proxy: { version: 1 } });

    await eventually(() => readFileSync(log, 'utf8').split('\n').length > 5, 5000, 'the access log lines');
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(lines).toEqual(['203.0.113.9', '203.0.113.9', '2001:db8::7', '198.51.100.7', '127.0.0.1', '127.0.0.1']);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('closes every bad connection alone and counts it: untrusted, missing, malformed, truncated, too long, slow, a wrong v2 length, one on a plain bind', async () => {
    const m = await startServing([
      '-w',
      '1',
      '-b',
      'proxy:127.0.0.1:0',
      '-b',
      '127.0.0.1:0',
      '--proxy-header-timeout',
      '1',
      '--metrics',
      '127.0.0.1:0',
      'client-address.cjs',
    ]);
    const [proxied, plain] = urls(m);
    const [worker] = m.workerPids();
    const good = `PROXY TCP4 203.0.113.9 10.0.0.1 51234 80\r\n${GET}`;

    const attacks: Array<[string, Promise<Reply>]> = [
      ['untrusted', exchange(proxied, [good], { from: '127.0.0.2' })],
      ['missing', exchange(proxied, [GET])],
      ['malformed', exchange(proxied, [`PROXY TCP4 203.0.113.999 10.0.0.1 1 80\r\n${GET}`])],
      // Truncated: half a header, then the client closes its side.
      [
        'malformed',
        new Promise<Reply>((resolve) => {
          const c = net.connect(proxied, '127.0.0.1', () => c.end('PROXY TCP4 203.0.'));
          c.on('data', () => resolve({ text: 'answered', closedWithout: false }));
          c.on('close', () => resolve({ text: '', closedWithout: true }));
        }),
      ],
      ['too-long', exchange(proxied, [`PROXY TCP4 ${'1'.repeat(120)}`])],
      ['too-long', exchange(proxied, [v2({ tlvs: [[0x04, Buffer.alloc(3000)]] })])],
      // A v2 header whose length is shorter than its own addresses.
      ['malformed', exchange(proxied, [Buffer.concat([v2({ lengthDelta: -8 }), Buffer.from(GET)])])],
      // Byte by byte, slower than --proxy-header-timeout 1.
      ['timeout', exchange(proxied, [...Array.from('PROXY TCP4 203.0.113.9 10.0.0.1 51234 80\r\n')], { gapMs: 60 })],
      ['unexpected', exchange(plain, [good])],
    ];
    const replies = await Promise.all(attacks.map(([, r]) => r));
    // Each is closed without an answer, but for the plain bind: Node's 400 for what is not HTTP.
    expect(replies.map((r, i) => [attacks[i][0], attacks[i][0] === 'unexpected' ? r.text.split('\r\n')[0] : r.closedWithout])).toEqual(
      attacks.map(([reason]) => [reason, reason === 'unexpected' ? 'HTTP/1.1 400 Bad Request' : true]),
    );

    // The same worker serves on, on both binds.
    expect(bodyOf(await exchange(proxied, [good]))).toMatchObject({ address: '203.0.113.9', pid: worker });
    expect(bodyOf(await exchange(plain, [GET]))).toMatchObject({ address: '127.0.0.1', pid: worker });
    const expected = { untrusted: 1, missing: 1, malformed: 3, 'too-long': 2, timeout: 1, unexpected: 1 };
    let counts = await scrape(m);
    for (const end = Date.now() + 5000; JSON.stringify(counts) !== JSON.stringify(expected) && Date.now() < end; await new Promise((ok) => setTimeout(ok, 100)))
      counts = await scrape(m);
    expect(counts).toEqual(expected);
    expect(m.workerPids()).toEqual([worker]);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it('believes X-Forwarded-For in the access log from a trusted peer only, and passes it to the app untouched either way', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'statefork-xff-')), 'access.log');
    const m = await startServing(['-w', '1', '-b', '0.0.0.0:0', '--forwarded-allow-ips', '127.0.0.1,10.0.0.0/8', '--access-log', log, 'client-address.cjs']);
    const [port] = urls(m);
    const xff = (v: string) => `GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${v}\r\nConnection: close\r\n\r\n`;
    // From 127.0.0.1 (trusted), through a trusted 10.1.2.3: the client is the first untrusted from the right.
    expect(bodyOf(await exchange(port, [xff('192.0.2.1, 198.51.100.4, 10.1.2.3')]))).toMatchObject({
      address: '127.0.0.1',
      xff: '192.0.2.1, 198.51.100.4, 10.1.2.3',
    });
    // From 127.0.0.2 (not trusted): its header is the app's, not the log's.
    expect(bodyOf(await exchange(port, [xff('192.0.2.99')], { from: '127.0.0.2' }))).toMatchObject({ address: '127.0.0.2', xff: '192.0.2.99' });
    await eventually(() => readFileSync(log, 'utf8').trim().split('\n').length === 2, 5000, 'the access log lines');
    expect(
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['198.51.100.4', '127.0.0.2']);
    m.signal('SIGTERM');
    await m.exited;
  });

  it('warns at start about --forwarded-allow-ips *', async () => {
    const m = await startServing(['-w', '1', '-b', 'proxy:127.0.0.1:0', '--forwarded-allow-ips', '*', 'client-address.cjs']);
    expect(m.records.filter((x) => x.level === 40 && /--forwarded-allow-ips \*/.test(x.msg))).toHaveLength(1);
    // Anyone's header is believed now.
    expect(bodyOf(await exchange(urls(m)[0], [`PROXY TCP4 203.0.113.9 10.0.0.1 51234 80\r\n${GET}`], { from: '127.0.0.2' }))).toMatchObject({
      address: '203.0.113.9',
    });
    m.signal('SIGTERM');
    await m.exited;
  });
});
