import { describe, expect, it } from 'vitest';
import { checkTrustList, DEFAULT_TRUSTED, trustList } from '../../../src/config/trust-list.js';

describe('--forwarded-allow-ips', () => {
  it('takes addresses and CIDR ranges of both families, as one text or a list, into one canonical text', () => {
    expect(checkTrustList('--forwarded-allow-ips', DEFAULT_TRUSTED)).toBe('127.0.0.1,::1');
    expect(checkTrustList('--forwarded-allow-ips', ' 10.0.0.0/8 , fd00::/8,192.0.2.1 ')).toBe('10.0.0.0/8,fd00::/8,192.0.2.1');
    expect(checkTrustList('forwardedAllowIps', ['10.0.0.0/8', '::1,127.0.0.1'])).toBe('10.0.0.0/8,::1,127.0.0.1');
    expect(checkTrustList('--forwarded-allow-ips', '*')).toBe('*');
    expect(trustList('10.0.0.0/8,::1')).toEqual(['10.0.0.0/8', '::1']);
  });

  it.each([
    ['', /expected addresses or CIDR ranges, comma-separated/],
    [' , ', /expected addresses or CIDR ranges/],
    ['10.0.0.0/33', /entry '10.0.0.0\/33': expected an IPv4 or IPv6 address or a CIDR range/],
    ['lb.internal', /host names are not resolved/],
    ['10.0.0.1,nope', /entry 'nope'/],
    ['*,10.0.0.0/8', /\* already trusts every peer/],
  ])('refuses %j with the fix', (value, why) => {
    expect(() => checkTrustList('--forwarded-allow-ips', value)).toThrow(why);
  });

  it('refuses what is not text in a config file', () => {
    expect(() => checkTrustList('forwardedAllowIps', [10])).toThrow(/entry '10'/);
  });
});
