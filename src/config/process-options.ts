/**
 * Options about the processes themselves: -e/--env (variables the workers get) and -m/--umask
 * (the file mode creation mask of the master, inherited by the workers).
 */
import { shown, usage } from './checks.js';

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
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      usage(`invalid --env '${k}=...': the name must be letters, digits and _, not starting with a digit (e.g. --env NODE_ENV=production)`);
  }
  return Object.fromEntries(entries);
}

/** An octal mask: '027', '0o027' or the number 0o27 (a config file). */
export function checkUmask(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*(0o?)?[0-7]{1,4}\s*$/i.test(value)
        ? parseInt(value.trim().replace(/^0o/i, ''), 8)
        : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o777) usage(`invalid --umask '${shown(value)}': expected an octal mask from 000 to 777 (e.g. --umask 027)`);
  return n;
}

export const formatUmask = (mask: number | null): string => (mask === null ? '(inherited)' : `0${mask.toString(8).padStart(3, '0')}`);

/** A file mode: '0640', '640', '0o640' or the number 0o640 (a config file); at most 0666 (no log file is a program). */
export function checkFileMode(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*(0o?)?[0-7]{3,4}\s*$/i.test(value)
        ? parseInt(value.trim().replace(/^0o/i, ''), 8)
        : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o666 || (n & 0o111) !== 0)
    usage(`invalid --log-file-mode '${shown(value)}': expected an octal file mode without execute bits, at most 0666 (e.g. --log-file-mode 0640)`);
  return n;
}

export const formatFileMode = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

/** Records and bytes a second from each worker into the error log. */
export interface LogRate {
  records: number;
  bytes: number;
}

/** The least --worker-log-rate BYTES: one whole line (a worker's longest, 64 KiB) must fit in a second. */
export const MIN_LOG_BYTES = 64 * 1024;
const UNIT: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 * 1024, mib: 1024 * 1024 };

/** 'RECORDS:BYTES' with BYTES in bytes, KiB or MiB ('5000:4MiB'), or 0 / 'off' for no limit. */
export function checkLogRate(value: unknown): LogRate | null {
  const text = String(value).trim();
  if (value === 0 || text === '0' || text === 'off') return null;
  const m = /^(\d{1,9}):(\d{1,9})\s*(k|kib|m|mib)?$/i.exec(text);
  const rate = m ? { records: Number(m[1]), bytes: Number(m[2]) * UNIT[(m[3] ?? '').toLowerCase()] } : null;
  if (!rate || rate.records < 1 || rate.bytes < MIN_LOG_BYTES) {
    usage(
      `invalid --worker-log-rate '${text}': expected RECORDS:BYTES a second per worker, BYTES at least 64KiB (e.g. --worker-log-rate 5000:4MiB), or 0 for no limit`,
    );
  }
  return rate;
}

export const formatLogRate = (rate: LogRate | null): string => (rate === null ? '0 (no limit)' : `${rate.records}:${rate.bytes}`);
