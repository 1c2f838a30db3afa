/**
 * The README documents what ships: every flag `statefork --help` lists is in the options table,
 * the table is the one drawn from the option table, and every configuration key is in the complete configuration-file example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { optionsMarkdown } from '../../visualize/options-table.js';
// The built module: the source resolves package.json relative to dist/ (for the version).
import { OPTION_KEYS } from '../../dist/src/config/load.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const section = (heading: string) => README.slice(README.indexOf(heading), README.indexOf('\n#', README.indexOf(heading) + heading.length));

describe('README', () => {
  it('has a row in the options table for every flag --help lists', async () => {
    const help = startCli(['--help']);
    expect((await help.exited).code).toBe(0);
    // The flag each option line of the help starts with, two spaces in (a description's wrapped
    // line is indented to its column and may start with a flag it mentions).
    const flags = [...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(30);
    const table = section('### Options')
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    const documented = new Set(table.flatMap((row) => row.split('|')[1].match(/--[a-z][a-z-]*/g) ?? []));
    expect(flags.filter((f) => !documented.has(f))).toEqual([]);
  });

  it('its options table is the one drawn from the option table (npm run visualize redraws it)', () => {
    const block = README.slice(README.indexOf('<!-- options:start -->\n') + 23, README.indexOf('\n<!-- options:end -->'));
    expect(block).toBe(optionsMarkdown());
    expect(block.split('\n').length).toBeGreaterThan(40);
  });

  // A path under dist/ is the build's (the suite runs after npm run build): it must exist too.
  it('names in "How it works" only the files and folders that exist', () => {
    const how = section('## How it works');
    const named = [...new Set([...how.matchAll(/\b((?:dist\/)?(?:src|machines|test)\/[\w./-]*[\w/])/g)].map((m) => m[1]))];
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((path) => !existsSync(fileURLToPath(new URL(`../../${path}`, import.meta.url))))).toEqual([]);
  });

  it('lists every configuration key in the complete config-file example', () => {
    const example = section('### Configuration file');
    const keys = OPTION_KEYS;
    expect(keys.filter((k) => !new RegExp(`\\b${k}:`).test(example))).toEqual([]);
  });
});
