/**
 * `npm run visualize` in the repository: writes the diagrams under visualize/diagrams/ (Mermaid
 * and SVG) and replaces the Mermaid blocks (docs/how-it-works.md) and the options table
 * (docs/configuration.md) between their markers, so the docs always show the machines and the
 * options as they are. A test fails when the committed copies fall behind.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readmeWithOptions } from './options-table.js';
import { MACHINES, render, visualize } from './render.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIAGRAM_DIR = `${ROOT}visualize/diagrams`;
export const HOW_IT_WORKS = `${ROOT}docs/how-it-works.md`;
export const CONFIGURATION = `${ROOT}docs/configuration.md`;

/** A page with each `<!-- diagram:NAME -->` block holding the current Mermaid text. */
export async function readmeWithDiagrams(readme: string): Promise<string> {
  let out = readme;
  for (const name of Object.keys(MACHINES) as Array<keyof typeof MACHINES>) {
    const block = `<!-- diagram:${name} -->\n\`\`\`mermaid\n${(await render(name, 'mermaid')).trimEnd()}\n\`\`\`\n<!-- /diagram:${name} -->`;
    out = out.replace(new RegExp(`<!-- diagram:${name} -->[\\s\\S]*?<!-- /diagram:${name} -->`), block);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await visualize('mermaid', DIAGRAM_DIR);
  await visualize('svg', DIAGRAM_DIR);
  writeFileSync(HOW_IT_WORKS, await readmeWithDiagrams(readFileSync(HOW_IT_WORKS, 'utf8')));
  writeFileSync(CONFIGURATION, readmeWithOptions(readFileSync(CONFIGURATION, 'utf8')));
  process.stdout.write(`diagrams written to ${DIAGRAM_DIR} and docs/how-it-works.md, the options table to docs/configuration.md\n`);
}
