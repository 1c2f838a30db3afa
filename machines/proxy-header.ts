/**
 * The PROXY protocol (HAProxy's, versions 1 and 2): the header a load balancer writes before a
 * connection's first byte, naming the client it accepted the connection from. The table of both
 * versions, and a parser of the bytes a connection has sent so far: pure, so every malformed,
 * truncated, oversized or lying header is tested byte by byte here, and the worker only feeds it
 * (src/worker/proxy-protocol.ts).
 *
 * v1 is one line of text: `PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n`, or `PROXY UNKNOWN ...\r\n`,
 * at most 107 bytes. v2 is binary: a 12-byte signature, a version and command byte (0x21 PROXY,
 * 0x20 LOCAL: the balancer's own connection, such as a health check), a family and transport
 * byte, the length of the rest (big-endian), the addresses, then type-length-value records.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip-address.js';

export const PROXY_V1_MAX = 107;
export const PROXY_V2_SIGNATURE = Uint8Array.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/**
 * The longest v2 header accepted, addresses and TLVs included. The format allows 64 KiB; what
 * balancers send is far less (HAProxy's TLS TLVs, a unique id and an authority stay under 600
 * bytes), and a connection may not make a worker hold more for it.
 */
export const PROXY_V2_MAX = 2048;
const V2_FIXED = 16;
const V1_PREFIX = 'PROXY ';

/** Each v2 family's address block: two addresses, then two ports (none for a unix path). */
const V2_FAMILIES = {
  0x0: { family: 'unknown', size: 0 },
  0x1: { family: 'tcp4', size: 12 },
  0x2: { family: 'tcp6', size: 36 },
  0x3: { family: 'unix', size: 216 },
} as const;

/** The TLV types of the v2 specification (section 2.2), and the SSL record's sub-types. */
export const PROXY_TLV = {
  alpn: 0x01,
  authority: 0x02,
  crc32c: 0x03,
  noop: 0x04,
  uniqueId: 0x05,
  ssl: 0x20,
  sslVersion: 0x21,
  sslCn: 0x22,
  sslCipher: 0x23,
  sslSigAlg: 0x24,
  sslKeyAlg: 0x25,
  netns: 0x30,
} as const;

export type ProxyFamily = 'tcp4' | 'tcp6' | 'unix' | 'unknown';

export interface ProxyEndpoint {
  address: string;
  /** null for a unix socket's path. */
  port: number | null;
}

export interface ProxyTlv {
  type: number;
  value: Uint8Array;
}

export interface ProxyHeader {
  version: 1 | 2;
  /** 'local': the balancer's own connection; the socket's own addresses stand. */
  command: 'proxy' | 'local';
  family: ProxyFamily;
  /** The client; null when the header names none (LOCAL, UNKNOWN, an unspecified family). */
  source: ProxyEndpoint | null;
  destination: ProxyEndpoint | null;
  tlvs: ProxyTlv[];
  /** The header's bytes: the connection's own data starts after them. */
  length: number;
}

/** Why a connection's first bytes are not a header this bind accepts (each is counted in the metrics). */
export type ProxyRejection = 'missing' | 'malformed' | 'too-long';

export type ProxyParse = { kind: 'incomplete' } | { kind: 'header'; header: ProxyHeader } | { kind: 'rejected'; reason: ProxyRejection; detail: string };

const INCOMPLETE: ProxyParse = { kind: 'incomplete' };
const reject = (reason: ProxyRejection, detail: string): ProxyParse => ({ kind: 'rejected', reason, detail });

/** Whether `bytes` starts as `prefix` does, as far as both go. */
function startsAs(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const V1_PREFIX_BYTES = Uint8Array.from(V1_PREFIX, (c) => c.charCodeAt(0));

/** Whether a connection's first bytes begin a PROXY header of either version (as far as they go). */
export function looksLikeProxyHeader(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (startsAs(bytes, PROXY_V2_SIGNATURE) || startsAs(bytes, V1_PREFIX_BYTES));
}

const PORT = /^(0|[1-9]\d{0,4})$/;
const port = (text: string): number | null => (PORT.test(text) && Number(text) <= 65535 ? Number(text) : null);

function parseV1(bytes: Uint8Array): ProxyParse {
  let end = -1;
  for (let i = 0; i < Math.min(bytes.length, PROXY_V1_MAX); i++) {
    const b = bytes[i];
    if (b === 0x0d && i + 1 < bytes.length && bytes[i + 1] === 0x0a) {
      end = i;
      break;
    }
    // Printable ASCII only; a CR is allowed only as the end of the line.
    if ((b < 0x20 || b > 0x7e) && !(b === 0x0d && i + 1 === bytes.length)) return reject('malformed', 'a v1 header has a byte that is not printable ASCII');
  }
  if (end < 0) return bytes.length >= PROXY_V1_MAX ? reject('too-long', `a v1 header ends within ${PROXY_V1_MAX} bytes`) : INCOMPLETE;
  const line = String.fromCharCode(...bytes.subarray(0, end));
  const length = end + 2;
  const f = line.split(' ');
  if (f[1] === 'UNKNOWN')
    return { kind: 'header', header: { version: 1, command: 'proxy', family: 'unknown', source: null, destination: null, tlvs: [], length } };
  if (f.length !== 6 || (f[1] !== 'TCP4' && f[1] !== 'TCP6'))
    return reject('malformed', 'a v1 header is PROXY TCP4|TCP6 SRC DST SPORT DPORT, or PROXY UNKNOWN');
  const v4 = f[1] === 'TCP4';
  const [src, dst] = [f[2], f[3]].map((a) => (v4 ? parseIPv4(a) : parseIPv6(a)));
  const [sport, dport] = [port(f[4]), port(f[5])];
  if (!src || !dst) return reject('malformed', `a v1 header's addresses are not ${v4 ? 'IPv4' : 'IPv6'}`);
  if (sport === null || dport === null) return reject('malformed', "a v1 header's ports are not 0-65535");
  const text = v4 ? formatIPv4 : formatIPv6;
  return {
    kind: 'header',
    header: {
      version: 1,
      command: 'proxy',
      family: v4 ? 'tcp4' : 'tcp6',
      source: { address: text(src), port: sport },
      destination: { address: text(dst), port: dport },
      tlvs: [],
      length,
    },
  };
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];

/** A unix path: up to its first NUL. */
function unixPath(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return String.fromCharCode(...b.subarray(0, nul < 0 ? b.length : nul));
}

function endpoints(family: ProxyFamily, a: Uint8Array): [ProxyEndpoint, ProxyEndpoint] | null {
  if (family === 'tcp4')
    return [
      { address: formatIPv4(a.subarray(0, 4)), port: u16(a, 8) },
      { address: formatIPv4(a.subarray(4, 8)), port: u16(a, 10) },
    ];
  if (family === 'tcp6')
    return [
      { address: formatIPv6(a.subarray(0, 16)), port: u16(a, 32) },
      { address: formatIPv6(a.subarray(16, 32)), port: u16(a, 34) },
    ];
  if (family === 'unix')
    return [
      { address: unixPath(a.subarray(0, 108)), port: null },
      { address: unixPath(a.subarray(108, 216)), port: null },
    ];
  return null;
}

/** The TLV records of `b`, or null when one runs past the end. */
export function parseTlvs(b: Uint8Array): ProxyTlv[] | null {
  const out: ProxyTlv[] = [];
  for (let at = 0; at < b.length;) {
    if (at + 3 > b.length) return null;
    const len = u16(b, at + 1);
    if (at + 3 + len > b.length) return null;
    out.push({ type: b[at], value: b.slice(at + 3, at + 3 + len) });
    at += 3 + len;
  }
  return out;
}

function parseV2(bytes: Uint8Array): ProxyParse {
  if (bytes.length < V2_FIXED) return INCOMPLETE;
  const version = bytes[12] >> 4;
  const command = bytes[12] & 0x0f;
  if (version !== 2) return reject('malformed', `a v2 header's version is ${version}, not 2`);
  if (command > 1) return reject('malformed', `a v2 header's command is ${command}, neither LOCAL (0) nor PROXY (1)`);
  const fam = V2_FAMILIES[(bytes[13] >> 4) as keyof typeof V2_FAMILIES];
  const transport = bytes[13] & 0x0f;
  if (!fam || transport > 2) return reject('malformed', `a v2 header's family and transport 0x${bytes[13].toString(16)} are not in the specification`);
  const length = V2_FIXED + u16(bytes, 14);
  if (length > PROXY_V2_MAX) return reject('too-long', `a v2 header of ${length} bytes is over the limit of ${PROXY_V2_MAX}`);
  if (bytes.length < length) return INCOMPLETE;
  const body = bytes.subarray(V2_FIXED, length);
  const local = command === 0;
  // LOCAL: the address block may be anything (the receiver ignores it), but never longer than the header says.
  if (!local && transport === 2) return reject('malformed', 'a v2 PROXY header for a datagram: this is a stream server');
  if (body.length < fam.size) return reject('malformed', `a v2 header's length (${body.length}) is shorter than its ${fam.family} addresses (${fam.size})`);
  const tlvs = parseTlvs(body.subarray(fam.size));
  if (!tlvs) return reject('malformed', "a v2 header's TLV records run past its length");
  const ends = local ? null : endpoints(fam.family, body.subarray(0, fam.size));
  return {
    kind: 'header',
    header: { version: 2, command: local ? 'local' : 'proxy', family: fam.family, source: ends?.[0] ?? null, destination: ends?.[1] ?? null, tlvs, length },
  };
}

/**
 * What a connection's first bytes are, on a bind that expects a PROXY header: a whole header
 * (its length says where the connection's own bytes start), not yet enough bytes to tell, or a
 * rejection. A connection that starts with anything but a header is rejected at its first byte.
 */
export function parseProxyHeader(bytes: Uint8Array): ProxyParse {
  if (bytes.length === 0) return INCOMPLETE;
  if (startsAs(bytes, PROXY_V2_SIGNATURE)) return bytes.length < PROXY_V2_SIGNATURE.length ? INCOMPLETE : parseV2(bytes);
  if (startsAs(bytes, V1_PREFIX_BYTES)) return bytes.length < V1_PREFIX_BYTES.length ? INCOMPLETE : parseV1(bytes);
  return reject('missing', 'the connection did not start with a PROXY header');
}
