/**
 * --forwarded-allow-ips: the peers whose word about the client statefork believes (a PROXY
 * header, X-Forwarded-For). Checked here, once, into a list of canonical entries the worker
 * parses again with the same pure parser (machines/ip-address.ts).
 */
import { parseCidr } from '../../machines/ip-address.js';
import { shown, usage } from './checks.js';

/** Loopback only: a balancer on the same host, nothing from the network. */
export const DEFAULT_TRUSTED = '127.0.0.1,::1';

/**
 * `*` alone, or addresses and CIDR ranges; a comma-separated text or a list of them. Returns the
 * list as one comma-separated text (what --print-config shows); trustList splits it.
 */
export function checkTrustList(name: string, value: unknown): string {
  const items = (Array.isArray(value) ? (value as unknown[]) : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  const entries = items.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
  if (!entries.length)
    usage(`invalid ${name} '${shown(value)}': expected addresses or CIDR ranges, comma-separated (e.g. ${name} 10.0.0.0/8,::1), or * for any`);
  for (const e of entries) {
    if (e === '*') continue;
    if (typeof e !== 'string' || !parseCidr(e)) {
      usage(
        `invalid ${name} entry '${String(e)}': expected an IPv4 or IPv6 address or a CIDR range such as 10.0.0.0/8 or fd00::/8 (host names are not resolved), or * for any`,
      );
    }
  }
  if (entries.includes('*') && entries.length > 1)
    usage(`invalid ${name} '${entries.join(',')}': * already trusts every peer; give * alone or only the ranges`);
  return (entries as string[]).join(',');
}

export const trustList = (checked: string): string[] => checked.split(',');
