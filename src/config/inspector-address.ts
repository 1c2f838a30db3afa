/** --inspector [HOST:PORT]: where the live inspector listens (a TCP address; the default without one). */
import { parseBind } from './bind.js';
import { DEFAULT_INSPECTOR, usage } from './options.js';

export function inspectorAddress(value: string | boolean): { host: string; port: number } {
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
