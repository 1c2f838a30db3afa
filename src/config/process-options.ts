/**
 * Options about the processes themselves: -e/--env (variables the workers get) and -m/--umask
 * (the file mode creation mask of the master, inherited by the workers).
 */
import { usage } from './checks.js';

/** KEY=VALUE strings (the command line), or an object of them (a config file). */
export function checkEnv(value: unknown): Record<string, string> {
  const entries: Array<[string, string]> = [];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) entries.push([k, String(v)]);
  } else {
    for (const item of ([] as unknown[]).concat(value)) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (typeof item !== 'string' || eq < 1) usage(`invalid --env '${text}': expected KEY=VALUE (e.g. --env NODE_ENV=production)`);
      entries.push([text.slice(0, eq), text.slice(eq + 1)]);
    }
  }
  for (const [k] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) usage(`invalid --env '${k}=...': the name must be letters, digits and _, not starting with a digit (e.g. --env NODE_ENV=production)`);
  }
  return Object.fromEntries(entries);
}

/** An octal mask: '027', '0o027' or the number 0o27 (a config file). */
export function checkUmask(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*(0o?)?[0-7]{1,4}\s*$/i.test(value) ? parseInt(value.trim().replace(/^0o/i, ''), 8) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o777) usage(`invalid --umask '${value}': expected an octal mask from 000 to 777 (e.g. --umask 027)`);
  return n;
}

export const formatUmask = (mask: number | null): string => (mask === null ? '(inherited)' : `0${mask.toString(8).padStart(3, '0')}`);
