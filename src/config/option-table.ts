/**
 * The option table: every option once, in the order --help, the README and --print-config show
 * them. Its type makes a row for every key of Options (and the command line's own switches)
 * mandatory, so an option cannot be added in one place and forgotten in another. The cross-checks
 * between options (headers vs request timeout, workers vs max, TLS files, identity, reuse-port)
 * stay in normalize (options.ts), which reads each value through its row.
 */
import { shown } from './checks.js';
import { CLI_ONLY, type OptionRow, type TableKey } from './option-row.js';
import { ENVIRONMENT_ROWS } from './option-rows/environment.js';
import { PROCESS_ROWS } from './option-rows/process.js';
import { SCALING_ROWS } from './option-rows/scaling.js';
import { SERVING_ROWS } from './option-rows/serving.js';
import { VIEW_ROWS } from './option-rows/views.js';
import type { Options } from './types.js';

export type { TableKey };

const ROWS = { ...SERVING_ROWS, ...SCALING_ROWS, ...PROCESS_ROWS, ...ENVIRONMENT_ROWS, ...VIEW_ROWS } satisfies Record<TableKey, OptionRow>;

/** A row that knows its key and the name a user knows it by (`--timeout`; `app` for the argument). */
export type Keyed<R, K> = R & { key: K; name: string };

const longName = (flags: string): string | undefined => flags.match(/--[a-z][a-z-]*/)?.[0];

function keyed<T extends Record<string, { flags: string }>>(rows: T): { [K in keyof T]: Keyed<T[K], K> } {
  const entries = Object.entries(rows).map(([key, row]) => [key, { ...row, key, name: longName(row.flags) ?? key }]);
  // Object.fromEntries loses the per-key types that the mapped return type states.
  return Object.fromEntries(entries) as { [K in keyof T]: Keyed<T[K], K> };
}

export const OPTION_TABLE = keyed(ROWS);

/** Every row, in order, seen through the common row type. */
export const OPTION_ROWS: ReadonlyArray<Keyed<OptionRow, TableKey>> = Object.values(OPTION_TABLE);

/** A configuration key, not one of the command line's own switches. */
export const isOptionKey = (key: TableKey): key is keyof Options => !(CLI_ONLY as readonly string[]).includes(key);

/** The configuration's keys: the long options in camelCase (what a config file may hold). */
export const OPTION_KEYS: Array<keyof Options> = OPTION_ROWS.map((row) => row.key).filter(isOptionKey);

/** The --help line: the help text and its default. */
export function helpLine(row: OptionRow): string {
  const given = row.helpDefault ?? (typeof row.default === 'number' || typeof row.default === 'string' ? String(row.default) : undefined);
  return given === undefined ? row.help : `${row.help} [default: ${given}]`;
}

/** The README's default cell. */
export function docDefault(row: OptionRow): string {
  if (row.docDefault !== undefined) return row.docDefault;
  if (typeof row.default === 'string') return `\`${row.default}\``;
  if (row.default === false) return 'off';
  return row.default === undefined ? '' : shown(row.default);
}
