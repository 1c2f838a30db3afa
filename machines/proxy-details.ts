/**
 * The PROXY v2 TLVs an app may want (TLS, its version, CN and cipher, the authority, the unique
 * id), decoded from the records ./proxy-header.ts parsed: what statefork/worker's proxyOf gives.
 */
import { parseTlvs, PROXY_TLV, type ProxyTlv } from './proxy-header.js';

/** What the app is told about a connection's TLS and name, from the v2 TLVs (statefork/worker's proxyOf). */
export interface ProxyDetails {
  /** The protocol the client chose by ALPN at the balancer (`h2`, `http/1.1`). */
  alpn: string | null;
  /** The host name the client asked for (TLS SNI at the balancer). */
  authority: string | null;
  /** The balancer's id for the connection, as hex. */
  uniqueId: string | null;
  /** The client's TLS at the balancer, when it ended TLS there. */
  ssl: {
    client: number;
    verified: boolean;
    version: string | null;
    cn: string | null;
    cipher: string | null;
    sigAlg: string | null;
    keyAlg: string | null;
  } | null;
  netns: string | null;
}

/** UTF-8 text (a CN may carry any); bytes that are not UTF-8 are read as Latin-1. */
function text(b: Uint8Array): string {
  try {
    return decodeURIComponent(Array.from(b, (x) => `%${x.toString(16).padStart(2, '0')}`).join(''));
  } catch {
    return String.fromCharCode(...b);
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The SSL record: client flags (1 byte), verify result (4 bytes, 0 = verified), then sub-TLVs. */
function sslDetails(record: Uint8Array, of: (type: number, from: readonly ProxyTlv[]) => Uint8Array | null): ProxyDetails['ssl'] {
  const subs = parseTlvs(record.subarray(5)) ?? [];
  const str = (type: number) => {
    const v = of(type, subs);
    return v ? text(v) : null;
  };
  return {
    client: record[0],
    verified: record[1] === 0 && record[2] === 0 && record[3] === 0 && record[4] === 0,
    version: str(PROXY_TLV.sslVersion),
    cn: str(PROXY_TLV.sslCn),
    cipher: str(PROXY_TLV.sslCipher),
    sigAlg: str(PROXY_TLV.sslSigAlg),
    keyAlg: str(PROXY_TLV.sslKeyAlg),
  };
}

/** The TLVs an app may want, decoded; each absent one is null, unknown types are left out. */
export function proxyDetails(tlvs: readonly ProxyTlv[]): ProxyDetails {
  const of = (type: number, from: readonly ProxyTlv[] = tlvs) => from.find((t) => t.type === type)?.value ?? null;
  const str = (v: Uint8Array | null) => (v ? text(v) : null);
  const sslRecord = of(PROXY_TLV.ssl);
  const ssl = sslRecord && sslRecord.length >= 5 ? sslDetails(sslRecord, of) : null;
  const id = of(PROXY_TLV.uniqueId);
  return { alpn: str(of(PROXY_TLV.alpn)), authority: str(of(PROXY_TLV.authority)), uniqueId: id ? hex(id) : null, ssl, netns: str(of(PROXY_TLV.netns)) };
}
