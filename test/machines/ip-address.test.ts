import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIPv6, inCidr, parseCidr, parseIPv4, parseIPv6, unmapped } from '../../machines/ip-address.js';

const cidr = (t: string) => {
  const c = parseCidr(t);
  if (!c) throw new Error(`not a range: ${t}`);
  return c;
};

describe('IP addresses', () => {
  it('reads dotted quads, and nothing that only looks like one', () => {
    expect([...parseIPv4('192.168.0.255')!]).toEqual([192, 168, 0, 255]);
    expect([...parseIPv4('0.0.0.0')!]).toEqual([0, 0, 0, 0]);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.', '', '1.2.3.x', ' 1.2.3.4']) expect(parseIPv4(bad), bad).toBeNull();
  });

  it('reads IPv6 in every form, and rejects what is not one', () => {
    expect(formatIPv6(parseIPv6('::')!)).toBe('::');
    expect(formatIPv6(parseIPv6('::1')!)).toBe('::1');
    expect(formatIPv6(parseIPv6('2001:DB8:0:0:0:0:0:1')!)).toBe('2001:db8::1');
    // Of two equal runs of zeros the first is compressed; a single zero group never is.
    expect(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
    expect(formatIPv6(parseIPv6('::ffff:10.0.0.1')!)).toBe('::ffff:10.0.0.1');
    expect(formatIPv6(parseIPv6('1:2:3:4:5:6:1.2.3.4')!)).toBe('1:2:3:4:5:6:102:304');
    // Six zero groups and then a non-zero one: libuv (and so Node) writes the old IPv4-compatible form.
    expect(formatIPv6(parseIPv6('::1:2')!)).toBe('::0.1.0.2');
    expect(formatIPv6(parseIPv6('::2')!)).toBe('::2');
    for (const bad of [':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1.2.3', '1.2.3.4::', 'g::1', '1:2:3:4:5:6:7::8', ''])
      expect(parseIPv6(bad), bad).toBeNull();
  });

  it('writes IPv6 as Node writes a socket address, for any bytes', () => {
    for (let i = 0; i < 2000; i++) {
      // Groups are zero half the time, so runs of zeros of every length and place occur.
      const bytes = new Uint8Array(16);
      for (let g = i % 8; g < 8; g++)
        if (Math.random() < 0.5) [bytes[2 * g], bytes[2 * g + 1]] = [Math.random() * 256, Math.random() < 0.3 ? 0 : Math.random() * 256];
      const text = formatIPv6(bytes);
      expect(new SocketAddress({ address: text, family: 'ipv6' }).address).toBe(text);
      expect([...parseIPv6(text)!]).toEqual([...bytes]);
    }
  });

  it('reads CIDR ranges and single addresses, and rejects a prefix out of range', () => {
    expect(cidr('10.0.0.0/8').bits).toBe(8);
    expect(cidr('127.0.0.1').bits).toBe(32);
    expect(cidr('::1').bits).toBe(128);
    expect(cidr('2001:db8::/32').bits).toBe(32);
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/08', '10.0.0.0/', 'localhost', '10.0.0.0/8/8', '*']) expect(parseCidr(bad), bad).toBeNull();
  });

  it('matches a peer against a range, bit by bit, across the IPv4-mapped form', () => {
    expect(inCidr('10.1.2.3', cidr('10.0.0.0/8'))).toBe(true);
    expect(inCidr('11.0.0.1', cidr('10.0.0.0/8'))).toBe(false);
    expect(inCidr('172.16.15.255', cidr('172.16.0.0/20'))).toBe(true);
    expect(inCidr('172.16.16.0', cidr('172.16.0.0/20'))).toBe(false);
    expect(inCidr('::ffff:10.9.9.9', cidr('10.0.0.0/8'))).toBe(true);
    expect(inCidr('10.9.9.9', cidr('::ffff:0:0/96'))).toBe(true);
    expect(inCidr('2001:db8::5', cidr('2001:db8::/32'))).toBe(true);
    expect(inCidr('2001:db9::5', cidr('2001:db8::/32'))).toBe(false);
    expect(inCidr('2001:db8::5', cidr('10.0.0.0/8'))).toBe(false);
    expect(inCidr('8.8.8.8', cidr('0.0.0.0/0'))).toBe(true);
    expect(inCidr('127.0.0.1', cidr('127.0.0.1'))).toBe(true);
    expect(inCidr('127.0.0.2', cidr('127.0.0.1'))).toBe(false);
    expect(inCidr('not an address', cidr('0.0.0.0/0'))).toBe(false);
  });

  it('takes each group for what it is: a dotted quad only last, one :: at most, exactly eight groups', () => {
    const hex = (t: string) => {
      const b = parseIPv6(t);
      return b ? Buffer.from(b).toString('hex') : null;
    };
    expect(hex('::1:2:3:4:5:6:7')).toBe('00000001000200030004000500060007');
    expect(hex('1:2:3:4:5:6::7')).toBe('00010002000300040005000600000007');
    expect(hex('1:2:3:4:5:6:7::')).toBe('00010002000300040005000600070000');
    for (const bad of [
      '1::2::3',
      '1.2.3.4:1::',
      '1.2.3.4:1:2:3:4:5:6',
      '::1.2.3.4:5',
      'g::1',
      ' ::1',
      '::1 ',
      '1:2:3:4:5:6:7:8:9',
      '::1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7',
    ])
      expect([bad, parseIPv6(bad)]).toEqual([bad, null]);
  });

  it('reads a range of every prefix length up to the whole address, trimmed', () => {
    expect(parseCidr(' 10.0.0.0/8 ')).toMatchObject({ bits: 8, text: '10.0.0.0/8' });
    expect(parseCidr('1.2.3.4/32')).toMatchObject({ bits: 32 });
    expect(parseCidr('::/128')).toMatchObject({ bits: 128 });
    expect(parseCidr('::/0')).toMatchObject({ bits: 0 });
    expect(parseCidr('1.2.3.4/33')).toBeNull();
    expect(parseCidr('::/129')).toBeNull();
    expect(unmapped(Uint8Array.from([0, 0, 0, 0]))).toBeNull();
  });
});
