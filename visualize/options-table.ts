/**
 * The options table of docs/configuration.md, drawn from the option table (src/config/option-table.ts): a row per
 * option, or one row for options documented together (--certfile and --keyfile). `npm run
 * visualize` writes it between its markers; a test fails when the page falls behind.
 */
import { docDefault, OPTION_ROWS } from '../src/config/option-table.js';

const cell = (text: string) => (text ? ` ${text} ` : ' ');

export function optionsMarkdown(): string {
  const rows: Array<{ names: string[]; default: string; doc: string }> = [];
  for (const row of OPTION_ROWS) {
    const name = `\`${row.flags}\``;
    if (row.doc === undefined) rows[rows.length - 1].names.push(name);
    else rows.push({ names: [name], default: docDefault(row), doc: row.doc });
  }
  const lines = rows.map((r) => `|${cell(r.names.join(', '))}|${cell(r.default)}|${cell(r.doc)}|`);
  return ['| option | default | meaning |', '|---|---|---|', ...lines].join('\n');
}

/** A page with the block between `<!-- options:start -->` and `<!-- options:end -->` redrawn. */
export function readmeWithOptions(readme: string): string {
  return readme.replace(/<!-- options:start -->[\s\S]*?<!-- options:end -->/, `<!-- options:start -->\n${optionsMarkdown()}\n<!-- options:end -->`);
}
