/**
 * The command-line grammar (commander), built from the option table and shared by the CLI and by
 * STATEFORK_CMD_ARGS, which is parsed exactly like the command line. Option names follow
 * gunicorn's where it has one. No defaults here (the help only shows them): a value present means
 * the user gave it, so layers can be merged by precedence.
 */
import { fs } from '../node-builtins.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { OptionRow } from './option-row.js';
import { helpLine, OPTION_ROWS, OPTION_TABLE } from './option-table.js';
import type { Options } from './types.js';
import { DIST } from '../dist-paths.js';

const { readFileSync } = fs;

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', DIST), 'utf8')) as { version: string }).version;

/** commander wants InvalidArgumentError; our checks say what the expected form is. */
const asParser = (check: (name: string, v: unknown) => unknown, name: string) => (value: string) => {
  try {
    return check(name, value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^invalid [^:]*: /, ''));
  }
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** One option of the table as commander's: numbers are checked as they are parsed, lists collected. */
function commanderOption(row: OptionRow & { name: string }): Option {
  const option = new Option(row.flags, helpLine(row));
  if (row.choices) option.choices(row.choices);
  if (row.type === 'list') option.argParser(collect);
  if (row.type === 'number' && row.check) option.argParser(asParser(row.check, row.name));
  return option;
}

export function buildProgram(name = 'statefork'): Command {
  const program = new Command(name)
    .description('Pre-fork app server for Node.js HTTP apps: a master binds the sockets, N workers serve.')
    .version(VERSION, OPTION_TABLE.version.flags);
  for (const row of OPTION_ROWS) {
    if (row.builtIn) continue;
    if (row.key === 'app') program.argument(row.flags, helpLine(row));
    else program.addOption(commanderOption(row));
  }
  return program
    .addHelpText(
      'after',
      "\nA running master (see the README's Control socket):\n  statefork status | workers | scale N|+N|-N | reload | reopen | stop [--quick] | kill PID\n  [--control-socket PATH | -p FILE] [--json]\nDiagrams: statefork visualize --help",
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`statefork: ${text.trim().replace(/\n+/g, ' ')}\n`) });
}

export interface ParsedArgs {
  options: Partial<Options>;
  config?: string;
  printConfig: boolean;
  checkConfig: boolean;
}

/** Parses arguments (without the node and script paths); throws CommanderError on bad input. */
export function parseArgs(argv: string[], name?: string): ParsedArgs {
  const program = buildProgram(name);
  if (name) program.configureOutput({ outputError: (text, write) => write(`statefork: ${name}: ${text.trim().replace(/\n+/g, ' ')}\n`) });
  program.parse(argv, { from: 'user' });
  // commander parsed every option through the table's rows: its values have the table's shapes.
  const { config, printConfig, checkConfig, ...options } = program.opts<Partial<Options> & { config?: string; printConfig?: boolean; checkConfig?: boolean }>();
  if (program.args[0]) options.app = program.args[0];
  return { options, config, printConfig: Boolean(printConfig), checkConfig: Boolean(checkConfig) };
}

/** Splits STATEFORK_CMD_ARGS like a shell would for simple cases: spaces, and '...' or "..." quoting. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
