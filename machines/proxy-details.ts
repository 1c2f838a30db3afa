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

/** The TLVs an app may want, decoded; each absent one is null, unknown types are left out. */
export function proxyDetails(tlvs: readonly ProxyTlv[]): ProxyDetails {
  const of = (type: number, from: readonly ProxyTlv[] = tlvs) => from.find((t) => t.type === type)?.value ?? null;
  const str = (v: Uint8Array | null) => (v ? text(v) : null);
  const sslRecord = of(PROXY_TLV.ssl);
  // The SSL record: client flags (1 byte), verify result (4 bytes, 0 = verified), then sub-TLVs.
  const subs = sslRecord && sslRecord.length >= 5 ? (parseTlvs(sslRecord.subarray(5)) ?? []) : [];
  const ssl =
    sslRecord && sslRecord.length >= 5
      ? {
          client: sslRecord[0],
          verified: sslRecord[1] === 0 && sslRecord[2] === 0 && sslRecord[3] === 0 && sslRecord[4] === 0,
          version: str(of(PROXY_TLV.sslVersion, subs)),
          cn: str(of(PROXY_TLV.sslCn, subs)),
          cipher: str(of(PROXY_TLV.sslCipher, subs)),
          sigAlg: str(of(PROXY_TLV.sslSigAlg, subs)),
          keyAlg: str(of(PROXY_TLV.sslKeyAlg, subs)),
        }
      : null;
  const id = of(PROXY_TLV.uniqueId);
  return { alpn: str(of(PROXY_TLV.alpn)), authority: str(of(PROXY_TLV.authority)), uniqueId: id ? hex(id) : null, ssl, netns: str(of(PROXY_TLV.netns)) };
}
