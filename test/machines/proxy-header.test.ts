import { describe, expect, it } from 'vitest';
import {
  looksLikeProxyHeader,
  parseProxyHeader,
  parseTlvs,
  PROXY_TLV,
  PROXY_V1_MAX,
  PROXY_V2_MAX,
  PROXY_V2_SIGNATURE,
  type ProxyParse,
} from '../../machines/proxy-header.js';
import { proxyDetails } from '../../machines/proxy-details.js';

const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const tlv = (type: number, value: Uint8Array | string) => {
  const v = typeof value === 'string' ? Uint8Array.from(Buffer.from(value)) : value;
  return Uint8Array.from([type, v.length >> 8, v.length & 0xff, ...v]);
};

/** A v2 header: version/command byte, family/transport byte, then the body (its length is computed unless given). */
function v2(verCmd: number, famProto: number, body: number[] | Uint8Array, length = body.length): Uint8Array {
  return Uint8Array.from([...PROXY_V2_SIGNATURE, verCmd, famProto, length >> 8, length & 0xff, ...body]);
}
const inet = [10, 0, 0, 1, 192, 168, 1, 2, 0x30, 0x39, 0x01, 0xbb]; // 10.0.0.1:12345 -> 192.168.1.2:443
const inet6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1, ...new Array(15).fill(0), 1, 0x00, 0x50, 0x1f, 0x90];

const header = (p: ProxyParse) => {
  if (p.kind !== 'header') throw new Error(`expected a header, got ${JSON.stringify(p)}`);
  return p.header;
};
const rejection = (p: ProxyParse) => (p.kind === 'rejected' ? p.reason : p.kind);

describe('PROXY protocol v1', () => {
  it("reads a TCP4 header and says where the connection's own bytes start", () => {
    const line = 'PROXY TCP4 203.0.113.7 10.0.0.5 56324 443\r\n';
    const h = header(parseProxyHeader(ascii(`${line}GET / HTTP/1.1\r\n`)));
    expect(h).toMatchObject({
      version: 1,
      command: 'proxy',
      family: 'tcp4',
      source: { address: '203.0.113.7', port: 56324 },
      destination: { address: '10.0.0.5', port: 443 },
      length: line.length,
    });
  });

  it('reads TCP6, written back as Node writes it', () => {
    const h = header(parseProxyHeader(ascii('PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::1 1 65535\r\n')));
    expect(h.source).toEqual({ address: '2001:db8::1', port: 1 });
    expect(h.destination).toEqual({ address: '::1', port: 65535 });
  });

  it('takes UNKNOWN, with or without the rest, as no client named', () => {
    expect(header(parseProxyHeader(ascii('PROXY UNKNOWN\r\n')))).toMatchObject({ family: 'unknown', source: null, length: 15 });
    expect(header(parseProxyHeader(ascii('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n'))).source).toBeNull();
  });

  it('waits for more at every byte before the end of a valid header', () => {
    const line = ascii('PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n');
    for (let n = 1; n < line.length; n++) expect(parseProxyHeader(line.subarray(0, n)).kind, `${n} bytes`).toBe('incomplete');
    expect(header(parseProxyHeader(line)).length).toBe(line.length);
  });

  it('rejects every malformed line', () => {
    for (const bad of [
      'PROXY TCP4 1.2.3.4 5.6.7.8 80\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 80 443 x\r\n',
      'PROXY tcp4 1.2.3.4 5.6.7.8 80 443\r\n',
      'PROXY TCP4 1.2.3.256 5.6.7.8 80 443\r\n',
      'PROXY TCP4 ::1 ::1 80 443\r\n',
      'PROXY TCP6 1.2.3.4 5.6.7.8 80 443\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 65536 443\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 080 443\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 -1 443\r\n',
      'PROXY TCP4  1.2.3.4 5.6.7.8 80 443\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 80 443\n',
      'PROXY TCP4 1.2.3.4\t5.6.7.8 80 443\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 80 443\r\r\n',
      'PROXY \u00e9\r\n',
      'PROXY \r\n',
    ])
      expect(rejection(parseProxyHeader(ascii(bad))), JSON.stringify(bad)).toBe('malformed');
  });

  it(`rejects a line with no end within ${PROXY_V1_MAX} bytes, and waits below that`, () => {
    const long = `PROXY UNKNOWN ${'x'.repeat(200)}`;
    expect(rejection(parseProxyHeader(ascii(long.slice(0, PROXY_V1_MAX))))).toBe('too-long');
    expect(parseProxyHeader(ascii(long.slice(0, PROXY_V1_MAX - 1))).kind).toBe('incomplete');
    // The longest a header can be is accepted.
    const longest = `PROXY UNKNOWN ${'x'.repeat(PROXY_V1_MAX - 16)}\r\n`;
    expect(longest.length).toBe(PROXY_V1_MAX);
    expect(header(parseProxyHeader(ascii(longest))).length).toBe(PROXY_V1_MAX);
  });
});

describe('PROXY protocol v2', () => {
  it('reads TCP4 with its TLVs', () => {
    const tlvs = [...tlv(PROXY_TLV.alpn, 'h2'), ...tlv(PROXY_TLV.authority, 'example.com')];
    const bytes = v2(0x21, 0x11, [...inet, ...tlvs]);
    const h = header(parseProxyHeader(Uint8Array.from([...bytes, ...ascii('GET /')])));
    expect(h).toMatchObject({
      version: 2,
      command: 'proxy',
      family: 'tcp4',
      source: { address: '10.0.0.1', port: 12345 },
      destination: { address: '192.168.1.2', port: 443 },
      length: bytes.length,
    });
    expect(h.tlvs.map((t) => t.type)).toEqual([PROXY_TLV.alpn, PROXY_TLV.authority]);
    expect(proxyDetails(h.tlvs)).toMatchObject({ alpn: 'h2', authority: 'example.com', ssl: null, uniqueId: null });
  });

  it('reads TCP6 and unix paths', () => {
    expect(header(parseProxyHeader(v2(0x21, 0x21, inet6)))).toMatchObject({
      family: 'tcp6',
      source: { address: '2001:db8::1', port: 80 },
      destination: { address: '::1', port: 8080 },
    });
    const path = (p: string) => [...Buffer.from(p), ...new Array(108 - p.length).fill(0)];
    expect(header(parseProxyHeader(v2(0x21, 0x31, [...path('/run/client.sock'), ...path('/run/app.sock')])))).toMatchObject({
      family: 'unix',
      source: { address: '/run/client.sock', port: null },
    });
  });

  it("accepts LOCAL (a balancer's health check) with any address block, naming no client", () => {
    expect(header(parseProxyHeader(v2(0x20, 0x00, [])))).toMatchObject({ command: 'local', source: null, length: 16 });
    expect(header(parseProxyHeader(v2(0x20, 0x11, inet)))).toMatchObject({ command: 'local', source: null, length: 28 });
  });

  it('takes an unspecified family as no client named', () => {
    expect(header(parseProxyHeader(v2(0x21, 0x00, [])))).toMatchObject({ command: 'proxy', family: 'unknown', source: null });
  });

  it('waits for more at every byte before the end, the signature included', () => {
    const bytes = v2(0x21, 0x11, [...inet, ...tlv(PROXY_TLV.noop, new Uint8Array(40))]);
    for (let n = 1; n < bytes.length; n++) expect(parseProxyHeader(bytes.subarray(0, n)).kind, `${n} bytes`).toBe('incomplete');
  });

  it('rejects a wrong version, command, family or transport, and a datagram', () => {
    expect(rejection(parseProxyHeader(v2(0x11, 0x11, inet)))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x22, 0x11, inet)))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x21, 0x41, inet)))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x21, 0x13, inet)))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x21, 0x12, inet)))).toBe('malformed');
  });

  it('rejects a length shorter than the addresses, and TLVs that run past it', () => {
    expect(rejection(parseProxyHeader(v2(0x21, 0x11, inet.slice(0, 8))))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x21, 0x21, inet)))).toBe('malformed');
    const cut = [...inet, PROXY_TLV.authority, 0, 20, ...Buffer.from('short')];
    expect(rejection(parseProxyHeader(v2(0x21, 0x11, cut)))).toBe('malformed');
    expect(rejection(parseProxyHeader(v2(0x21, 0x11, [...inet, PROXY_TLV.noop, 0])))).toBe('malformed');
  });

  it(`rejects a header over ${PROXY_V2_MAX} bytes from its first 16, without waiting for the rest`, () => {
    expect(rejection(parseProxyHeader(v2(0x21, 0x11, [], PROXY_V2_MAX - 16 + 1)))).toBe('too-long');
    expect(rejection(parseProxyHeader(v2(0x21, 0x11, [], 0xffff)))).toBe('too-long');
    const atLimit = v2(0x21, 0x11, [...inet, ...tlv(PROXY_TLV.noop, new Uint8Array(PROXY_V2_MAX - 16 - 12 - 3))]);
    expect(atLimit.length).toBe(PROXY_V2_MAX);
    expect(header(parseProxyHeader(atLimit)).length).toBe(PROXY_V2_MAX);
  });

  it('decodes the TLS record, its sub-records, a unique id, and a CN in UTF-8 or not', () => {
    const subs = [...tlv(PROXY_TLV.sslVersion, 'TLSv1.3'), ...tlv(PROXY_TLV.sslCn, 'Zoë'), ...tlv(PROXY_TLV.sslCipher, 'TLS_AES_128_GCM_SHA256')];
    const ssl = tlv(PROXY_TLV.ssl, Uint8Array.from([0x07, 0, 0, 0, 0, ...subs]));
    const id = tlv(PROXY_TLV.uniqueId, Uint8Array.from([0xde, 0xad, 0xbe, 0xef]));
    const d = proxyDetails(parseTlvs(Uint8Array.from([...ssl, ...id]))!);
    expect(d.ssl).toEqual({ client: 7, verified: true, version: 'TLSv1.3', cn: 'Zoë', cipher: 'TLS_AES_128_GCM_SHA256', sigAlg: null, keyAlg: null });
    expect(d.uniqueId).toBe('deadbeef');
    const latin = proxyDetails(parseTlvs(tlv(PROXY_TLV.ssl, Uint8Array.from([1, 0, 0, 0, 9, ...tlv(PROXY_TLV.sslCn, Uint8Array.from([0x5a, 0xe9]))])))!);
    expect(latin.ssl).toMatchObject({ verified: false, cn: 'Z\u00e9' });
    // A byte under 0x10 beside a multi-byte character: still UTF-8, each byte read as two hex digits.
    const tab = proxyDetails([{ type: PROXY_TLV.ssl, value: Uint8Array.from([1, 0, 0, 0, 0, ...tlv(PROXY_TLV.sslCn, Uint8Array.from([0xc3, 0xa9, 0x09]))]) }]);
    expect(tab.ssl?.cn).toBe('\u00e9\t');
    // Sub-records that run past the record's end: the record is kept, its named fields are not.
    const cut = proxyDetails([{ type: PROXY_TLV.ssl, value: Uint8Array.from([1, 0, 0, 0, 0, PROXY_TLV.sslCn, 0, 9, 0x41]) }]);
    expect(cut.ssl).toEqual({ client: 1, verified: true, version: null, cn: null, cipher: null, sigAlg: null, keyAlg: null });
  });
});

describe('telling a PROXY header from anything else', () => {
  it('rejects a connection that starts otherwise at its first byte that differs', () => {
    expect(rejection(parseProxyHeader(ascii('GET / HTTP/1.1\r\n')))).toBe('missing');
    expect(rejection(parseProxyHeader(ascii('POST / HTTP/1.1\r\n')))).toBe('missing');
    expect(rejection(parseProxyHeader(Uint8Array.from([0x16, 0x03, 0x01])))).toBe('missing');
    expect(rejection(parseProxyHeader(Uint8Array.from([0x0d, 0x0a, 0x0d, 0x0b])))).toBe('missing');
    expect(parseProxyHeader(ascii('P')).kind).toBe('incomplete');
    expect(parseProxyHeader(new Uint8Array(0)).kind).toBe('incomplete');
  });

  it('says whether bytes begin a header of either version (for a bind that expects none)', () => {
    expect(looksLikeProxyHeader(ascii('PROXY TCP4 '))).toBe(true);
    expect(looksLikeProxyHeader(PROXY_V2_SIGNATURE.subarray(0, 6))).toBe(true);
    expect(looksLikeProxyHeader(ascii('GET /'))).toBe(false);
    expect(looksLikeProxyHeader(ascii('PUT /'))).toBe(false);
    expect(looksLikeProxyHeader(new Uint8Array(0))).toBe(false);
  });
});

describe('every rejection says what is wrong', () => {
  const why = (bytes: Uint8Array) => {
    const p = parseProxyHeader(bytes);
    return p.kind === 'rejected' ? [p.reason, p.detail] : p.kind;
  };
  it('v1', () => {
    expect(why(ascii('GET / HTTP/1.1\r\n'))).toEqual(['missing', 'the connection did not start with a PROXY header']);
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX'))).toEqual(['malformed', 'a v1 header has a byte that is not printable ASCII']);
    expect(why(ascii('PROXY TCP4 1.2.3.4\r 5.6.7.8 1 2\r\n'))).toEqual(['malformed', 'a v1 header has a byte that is not printable ASCII']);
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2~\r\n'))).toEqual(['malformed', "a v1 header's ports are not 0-65535"]);
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\x7f\r\n'))).toEqual(['malformed', 'a v1 header has a byte that is not printable ASCII']);
    expect(why(ascii('PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n'))).toEqual(['malformed', 'a v1 header is PROXY TCP4|TCP6 SRC DST SPORT DPORT, or PROXY UNKNOWN']);
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'))).toEqual(['malformed', 'a v1 header is PROXY TCP4|TCP6 SRC DST SPORT DPORT, or PROXY UNKNOWN']);
    expect(why(ascii('PROXY TCP4 ::1 5.6.7.8 1 2\r\n'))).toEqual(['malformed', "a v1 header's addresses are not IPv4"]);
    expect(why(ascii('PROXY TCP6 ::1 5.6.7.8 1 2\r\n'))).toEqual(['malformed', "a v1 header's addresses are not IPv6"]);
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n'))).toEqual(['malformed', "a v1 header's ports are not 0-65535"]);
    // The end must come within the limit even when more bytes are already there.
    const long = ascii(`PROXY TCP4 ${'1'.repeat(110)}\r\nGET`);
    expect(why(long)).toEqual(['too-long', `a v1 header ends within ${PROXY_V1_MAX} bytes`]);
    // A CR as the last byte so far may be the end: wait for the next.
    expect(why(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r'))).toBe('incomplete');
  });
  it('v2', () => {
    expect(why(v2(0x31, 0x11, inet))).toEqual(['malformed', "a v2 header's version is 3, not 2"]);
    expect(why(v2(0x22, 0x11, inet))).toEqual(['malformed', "a v2 header's command is 2, neither LOCAL (0) nor PROXY (1)"]);
    expect(why(v2(0x21, 0x13, inet))).toEqual(['malformed', "a v2 header's family and transport 0x13 are not in the specification"]);
    expect(why(v2(0x21, 0x41, inet))).toEqual(['malformed', "a v2 header's family and transport 0x41 are not in the specification"]);
    expect(why(v2(0x21, 0x12, inet))).toEqual(['malformed', 'a v2 PROXY header for a datagram: this is a stream server']);
    expect(header(parseProxyHeader(v2(0x20, 0x12, inet))).command).toBe('local');
    expect(why(v2(0x21, 0x11, inet.slice(0, 8)))).toEqual(['malformed', "a v2 header's length (8) is shorter than its tcp4 addresses (12)"]);
    expect(why(v2(0x21, 0x11, [...inet, 0x04, 0, 5, 1]))).toEqual(['malformed', "a v2 header's TLV records run past its length"]);
    expect(why(v2(0x21, 0x11, [], PROXY_V2_MAX))).toEqual(['too-long', `a v2 header of ${PROXY_V2_MAX + 16} bytes is over the limit of ${PROXY_V2_MAX}`]);
  });
  it('reads TLV records to the last byte, an empty one included, and refuses a record header cut short', () => {
    expect(parseTlvs(Uint8Array.from([0x04, 0, 0]))).toEqual([{ type: 4, value: new Uint8Array(0) }]);
    expect(parseTlvs(Uint8Array.from([0x04, 0, 1, 9, 0x05, 0, 0]))).toEqual([
      { type: 4, value: Uint8Array.from([9]) },
      { type: 5, value: new Uint8Array(0) },
    ]);
    expect(parseTlvs(Uint8Array.from([0x04, 0]))).toBeNull();
    expect(parseTlvs(Uint8Array.from([0x04, 0, 1]))).toBeNull();
    expect(parseTlvs(Uint8Array.from([0x04, 0, 0, 0x05]))).toBeNull();
  });
  it('reads a unix path to its first NUL, or the whole field', () => {
    const path = (p: string) => [...Buffer.from(p), ...new Array(108 - p.length).fill(0)];
    const full = 'x'.repeat(108);
    const h = header(parseProxyHeader(v2(0x21, 0x31, [...Buffer.from(full), ...path('/b')])));
    expect([h.source?.address, h.destination?.address]).toEqual([full, '/b']);
  });
  it('decodes a TLS record with no sub-records, and any failed verification', () => {
    expect(proxyDetails([{ type: PROXY_TLV.ssl, value: Uint8Array.from([1, 0, 0, 0, 0]) }]).ssl).toEqual({
      client: 1,
      verified: true,
      version: null,
      cn: null,
      cipher: null,
      sigAlg: null,
      keyAlg: null,
    });
    for (let i = 1; i <= 4; i++) {
      const v = Uint8Array.from([1, 0, 0, 0, 0]);
      v[i] = 1;
      expect(proxyDetails([{ type: PROXY_TLV.ssl, value: v }]).ssl?.verified).toBe(false);
    }
    expect(proxyDetails([{ type: PROXY_TLV.ssl, value: Uint8Array.from([1, 0, 0, 0]) }]).ssl).toBeNull();
    expect(proxyDetails([])).toEqual({ alpn: null, authority: null, uniqueId: null, ssl: null, netns: null });
    // A CN that is not UTF-8 is read byte for byte as Latin-1.
    const ssl = Uint8Array.from([1, 0, 0, 0, 0, ...tlv(PROXY_TLV.sslCn, Uint8Array.from([0x4a, 0xfc, 0x72]))]);
    expect(proxyDetails([{ type: PROXY_TLV.ssl, value: ssl }]).ssl?.cn).toBe('J\u00fcr');
    expect(proxyDetails([{ type: PROXY_TLV.netns, value: ascii('blue') }]).netns).toBe('blue');
  });
});

describe('the whole of what is read', () => {
  it('gives every field of a v1 header, UNKNOWN included', () => {
    expect(header(parseProxyHeader(ascii('PROXY UNKNOWN\r\n')))).toEqual({
      version: 1,
      command: 'proxy',
      family: 'unknown',
      source: null,
      destination: null,
      tlvs: [],
      length: 15,
    });
    expect(header(parseProxyHeader(ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n')))).toEqual({
      version: 1,
      command: 'proxy',
      family: 'tcp4',
      source: { address: '1.2.3.4', port: 1 },
      destination: { address: '5.6.7.8', port: 2 },
      tlvs: [],
      length: 32,
    });
  });
  it('reads an empty unix path as empty, a CN in UTF-8 as such, and a unique id as two hex digits a byte', () => {
    const h = header(parseProxyHeader(v2(0x21, 0x31, [...Buffer.from('/a'), ...new Array(106).fill(0), ...new Array(108).fill(0)])));
    expect([h.source?.address, h.destination?.address]).toEqual(['/a', '']);
    const ssl = Uint8Array.from([1, 0, 0, 0, 0, ...tlv(PROXY_TLV.sslCn, 'J\u00fcrgen')]);
    expect(proxyDetails([{ type: PROXY_TLV.ssl, value: ssl }]).ssl?.cn).toBe('J\u00fcrgen');
    expect(proxyDetails([{ type: PROXY_TLV.uniqueId, value: Uint8Array.from([0x05, 0xab, 0x00]) }]).uniqueId).toBe('05ab00');
  });
});
