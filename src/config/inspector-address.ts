/** --inspector [HOST:PORT] and --metrics HOST:PORT: where an HTTP endpoint of the master listens. */
import { parseBind } from './bind.js';
import { usage } from './checks.js';
import { DEFAULT_INSPECTOR } from './types.js';

export function inspectorAddress(value: unknown): { host: string; port: number } {
  const text = value === true ? DEFAULT_INSPECTOR : String(value);
  const spec = (() => {
    try {
      return parseBind(text);
    } catch {
      return null;
    }
  })();
  if (!spec || spec.kind !== 'tcp') usage(`invalid --inspector '${text}': expected HOST:PORT (e.g. --inspector ${DEFAULT_INSPECTOR})`);
  return { host: spec.host, port: spec.port };
}

/** HOST:PORT, or a bare PORT on loopback (an endpoint is never public unless asked). */
export function listenAddress(flag: string, value: unknown, example: string): { host: string; port: number } {
  const text = String(value).trim();
  const spec = (() => {
    try {
      return parseBind(/^\d+$/.test(text) ? `127.0.0.1:${text}` : text);
    } catch {
      return null;
    }
  })();
  if (typeof value !== 'string' || !spec || spec.kind !== 'tcp') usage(`invalid ${flag} '${text}': expected HOST:PORT or PORT (e.g. ${flag} ${example})`);
  return { host: spec.host, port: spec.port };
}
