/**
 * IP addresses as text and as bytes, and the CIDR ranges of a trust list (--forwarded-allow-ips).
 * Pure: the PROXY protocol's header (./proxy-header.ts) carries addresses both ways, and the
 * worker matches a peer against the ranges it trusts. An address is written as Node writes a
 * socket's remoteAddress (RFC 5952: lower-case, the longest run of zero groups as `::`, an
 * IPv4-mapped address as `::ffff:a.b.c.d`), so an app sees the same text for the same client
 * whether it came through a balancer or not.
 */

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The 4 bytes of a dotted-quad IPv4 address (no leading zeros: `010` is not 8 or 10), or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return null;
  return Uint8Array.from(parts.map(Number));
}

/** The 16 bytes of an IPv6 address (with `::`, and a trailing dotted quad), or null. */
export function parseIPv6(text: string): Uint8Array | null {
  // Each group is checked below (hex of 1 to 4 digits, or a last dotted quad): nothing else gets through.
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  // A dotted quad only ends the address.
  if (halves.length === 2 && halves[0].includes('.')) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

export const formatIPv4 = (b: Uint8Array): string => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`): its 4 bytes, else null. */
export function unmapped(b: Uint8Array): Uint8Array | null {
  // Four bytes have nothing at 4 to 11: never a match.
  return MAPPED_PREFIX.every((v, i) => b[i] === v) ? b.subarray(12) : null;
}

/** 16 bytes as RFC 5952 text, as Node writes a socket's IPv6 remoteAddress (libuv's inet_ntop). */
export function formatIPv6(b: Uint8Array): string {
  const v4 = unmapped(b);
  if (v4) return `::ffff:${formatIPv4(v4)}`;
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  // The longest run of two or more zero groups (the first of equal runs) becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  // As libuv writes it (Node's remoteAddress): six zero groups then a non-zero one end in a dotted quad.
  if (best === 0 && bestLen === 6) return `::${formatIPv4(b.subarray(12))}`;
  const hex = (from: number, to: number) =>
    g
      .slice(from, to)
      .map((x) => x.toString(16))
      .join(':');
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

/** An address's bytes (4 or 16) from either form, or null. */
export function parseAddress(text: string): Uint8Array | null {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/** One range of a trust list: the network's bytes and how many leading bits must match. */
export interface Cidr {
  bytes: Uint8Array;
  bits: number;
  text: string;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (all its bits); null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const bytes = parseAddress(slash < 0 ? t : t.slice(0, slash));
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, bits: max, text: t };
  const raw = t.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(raw) || Number(raw) > max) return null;
  return { bytes, bits: Number(raw), text: t };
}

function prefixMatches(a: Uint8Array, net: Uint8Array, bits: number): boolean {
  for (let i = 0; i < net.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (net[i] & mask)) return false;
  }
  return true;
}

/** The IPv4 address as IPv6 sees it (`::ffff:a.b.c.d`). */
const mapped = (v4: Uint8Array): Uint8Array => Uint8Array.from([...MAPPED_PREFIX, ...v4]);

/**
 * Whether the address (text, either form) lies in the range. An IPv4 client reaches a dual-stack
 * socket as `::ffff:a.b.c.d`: it matches an IPv4 range, and an IPv4 peer matches `::ffff:0:0/96`.
 */
export function inCidr(address: string, cidr: Cidr): boolean {
  const raw = parseAddress(address);
  if (!raw) return false;
  const a = cidr.bytes.length === 4 ? (raw.length === 4 ? raw : unmapped(raw)) : raw.length === 16 ? raw : mapped(raw);
  return a !== null && prefixMatches(a, cidr.bytes, cidr.bits);
}
