import { describe, expect, it } from 'vitest';
import { defaultBind, parseBind } from '../../../src/config/bind.js';

describe('parseBind', () => {
  it.each([
    ['127.0.0.1:8000', { kind: 'tcp', host: '127.0.0.1', port: 8000 }],
    ['localhost:0', { kind: 'tcp', host: 'localhost', port: 0 }],
    ['[::1]:9000', { kind: 'tcp', host: '::1', port: 9000 }],
    ['unix:/run/app.sock', { kind: 'unix', path: '/run/app.sock' }],
    ['fd://3', { kind: 'fd', fd: 3 }],
    ['proxy:0.0.0.0:8000', { kind: 'tcp', host: '0.0.0.0', port: 8000, proxy: true, text: 'proxy:0.0.0.0:8000' }],
    ['proxy:[::]:8443', { kind: 'tcp', host: '::', port: 8443, proxy: true }],
    ['proxy:unix:/run/app.sock', { kind: 'unix', path: '/run/app.sock', proxy: true }],
    ['proxy:fd://3', { kind: 'fd', fd: 3, proxy: true }],
    ['127.0.0.1:8001', { proxy: false }],
  ])('%s', (text, expected) => expect(parseBind(text)).toMatchObject(expected));

  it.each([
    ['8000', /no port given/],
    ['host:', /port '' is not a number/],
    ['host:http', /port 'http' is not a number/],
    ['[nope]:80', /not an IPv6 address/],
    ['unix:', /socket path is empty/],
    ['fd://1', /3 or more/],
    ['bad host:80', /not a host name/],
    ['proxy:', /no address after proxy:/],
    ['proxy:8000', /no port given/],
    ['proxy:proxy:1.2.3.4:80', /must be in brackets/],
  ])('rejects %s', (text, why) => {
    expect(() => parseBind(text)).toThrow(why);
    expect(() => parseBind(text)).toThrow(/expected HOST:PORT, \[IPV6\]:PORT, unix:PATH or fd:\/\/N/);
  });

  it('defaults to loopback, or to every interface on $PORT', () => {
    expect(defaultBind({})).toBe('127.0.0.1:8000');
    expect(defaultBind({ PORT: '5000' })).toBe('0.0.0.0:5000');
  });
});
