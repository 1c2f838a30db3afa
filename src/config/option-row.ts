/**
 * One option, described once: its flags, type, default, checker, help line, README line and how
 * --print-config shows it. The rows live in ./option-rows/, the table that joins them in
 * ./option-table.ts; the command line (program.ts), the config file's keys (load.ts),
 * --print-config, normalize (options.ts) and the README's options table all derive from it.
 */
import type { Config } from './types.js';
import type { Options } from './given-options.js';

/**
 * How the command line takes it: `number` is checked as soon as it is parsed (commander names the
 * flag), `list` is repeatable, `flag` takes no value, `string` is checked with the rest in normalize.
 */
export type OptionType = 'number' | 'string' | 'list' | 'flag';

export interface OptionRow<T = unknown> {
  /** commander's flags ('-w, --workers <n>'); '[app]' is the one positional argument. */
  flags: string;
  type: OptionType;
  /** The --help line, without its default. */
  help: string;
  /** The value normalize falls back to when no layer gives one (absent: none, or computed there). */
  default?: T;
  /** How --help shows the default, when not the value itself. */
  helpDefault?: string;
  /** How the README shows the default, when not the value itself. */
  docDefault?: string;
  /** The README's "meaning" cell; absent: the option shares the README row of the one before. */
  doc?: string;
  /** Validates a value as it arrived (a flag's text, a config file's value); bind's and reloadExtraFile's, one item. */
  check?: (name: string, value: unknown) => T;
  choices?: readonly string[];
  /** --print-config's value; absent: the option is shown in another's row, or is not configuration. */
  show?: (config: Config) => string | number | boolean;
  /** --print-config's source when no layer gave the value. */
  defaultSource?: () => string;
  /** Declared by commander itself (--version, --help): documented here, not added again. */
  builtIn?: true;
}

/** Options of the command line only: they choose what statefork does, they are not configuration. */
export const CLI_ONLY = ['config', 'noHangStacks', 'noControlSocket', 'printConfig', 'checkConfig', 'version', 'help'] as const;
export type CliOnlyKey = (typeof CLI_ONLY)[number];

/** An option's key in the table: one of Options, or a flag of the command line only. */
export type TableKey = keyof Options | CliOnlyKey;
