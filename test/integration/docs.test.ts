/**
 * The docs document what ships, and hold together: every flag `statefork --help` lists is in the
 * options table, the table is the one drawn from the option table, every configuration key is in
 * the complete configuration-file example; every relative link in README.md, CONTRIBUTING.md and
 * docs/ reaches a file (and its heading, for a link with #), every repository path a page's prose
 * names exists, and every shell example marked `sh runnable` runs as written (and prints the `output`
 * block after it, when there is one).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { optionsMarkdown } from '../../visualize/options-table.js';
// The built module: the source resolves package.json relative to dist/ (for the version).
import { OPTION_KEYS } from '../../dist/src/config/load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
const CONFIGURATION = read('docs/configuration.md');
/** From `heading` to the next heading of any level. */
const section = (text: string, heading: string) => {
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no heading ${heading}`);
  return text.slice(at, text.indexOf('\n#', at + heading.length + 1));
};
/** The text outside fenced code blocks, line by line (a `#` in a block is not a heading). */
const prose = (text: string) => text.split(/^```[^\n]*\n[\s\S]*?^```$/m).join('\n');
/** GitHub's anchor for a heading: lower case, punctuation gone, each space a hyphen; repeats get -1, -2. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, title] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = title
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('the options, in docs/configuration.md', () => {
  it('has a row in the options table for every flag --help lists', async () => {
    const help = startCli(['--help']);
    expect((await help.exited).code).toBe(0);
    // The flag each option line of the help starts with, two spaces in (a description's wrapped
    // line is indented to its column and may start with a flag it mentions).
    const flags = [...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(30);
    const table = CONFIGURATION.slice(CONFIGURATION.indexOf('<!-- options:start -->'), CONFIGURATION.indexOf('<!-- options:end -->'))
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    const documented = new Set(table.flatMap((row) => row.split('|')[1].match(/--[a-z][a-z-]*/g) ?? []));
    expect(flags.filter((f) => !documented.has(f))).toEqual([]);
  });

  it('its options table is the one drawn from the option table (npm run visualize redraws it)', () => {
    const block = CONFIGURATION.slice(CONFIGURATION.indexOf('<!-- options:start -->\n') + 23, CONFIGURATION.indexOf('\n<!-- options:end -->'));
    expect(block).toBe(optionsMarkdown());
    expect(block.split('\n').length).toBeGreaterThan(40);
  });

  it('lists every configuration key in the complete config-file example', () => {
    const example = section(CONFIGURATION, '## Configuration file');
    expect(OPTION_KEYS.filter((k) => !new RegExp(`\\b${k}:`).test(example))).toEqual([]);
  });
});

describe('the pages hold together', () => {
  it('README.md is a front page: at most about 300 lines, with a link to every page of docs/', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    const linked = new Set([...readme.matchAll(/\]\((docs\/[\w-]+\.md)/g)].map((m) => m[1]));
    expect(PAGES.filter((p) => p.startsWith('docs/') && !linked.has(p))).toEqual([]);
  });

  it('every relative link reaches a file, and the heading its # names', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const path = file ? resolve(ROOT, dirname(page), file) : join(ROOT, page);
        if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && path.endsWith('.md') && !anchorsOf(readFileSync(path, 'utf8')).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  // A path under dist/ is the build's (the suite runs after npm run build): it must exist too.
  it('names only the files and folders of the repository that exist', () => {
    const missing: string[] = [];
    let named = 0;
    for (const page of PAGES) {
      // In the prose: a fenced block may show a user's own files (statefork src/server.ts).
      for (const [, path] of prose(read(page)).matchAll(/(?<![\w/.$<{-])((?:dist\/)?(?:src|machines|test|visualize|docs)\/[\w./-]*[\w/])/g)) {
        named++;
        if (!existsSync(join(ROOT, path))) missing.push(`${page}: ${path}`);
      }
    }
    expect(named).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  it('every shell example marked `sh runnable` runs as written, in an empty directory, and prints its `output` block', () => {
    const bin = mkdtempSync(join(tmpdir(), 'statefork-docs-bin-'));
    // `statefork` as a user's install has it: the built CLI on this Node.
    writeFileSync(join(bin, 'statefork'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'dist/src/cli.js')}' "$@"\n`);
    chmodSync(join(bin, 'statefork'), 0o755);
    const examples = PAGES.flatMap((page) =>
      [...read(page).matchAll(/^```sh runnable\n([\s\S]*?)^```\n(?:\n```output\n([\s\S]*?)^```\n)?/gm)].map((m) => ({ page, script: m[1], output: m[2] })),
    );
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const failed: string[] = [];
    for (const { page, script, output } of examples) {
      const dir = mkdtempSync(join(tmpdir(), 'statefork-docs-'));
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      if (run.status !== 0) failed.push(`${page}: exit ${run.status}: ${script.split('\n')[0]} ... ${run.stderr.trim()}`);
      else if (output !== undefined && run.stdout !== output) failed.push(`${page}: printed\n${run.stdout}instead of\n${output}`);
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(bin, { recursive: true, force: true });
    expect(failed).toEqual([]);
  });
});
