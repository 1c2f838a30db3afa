/**
 * Part of `npm run build`: draws the inspector's two SVGs from the machine definitions into the
 * build, so that a user's install serves them without Graphviz (@viz-js/viz is an optional peer).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { INSPECTOR_SVG_DIR, MACHINES, render } from './render.js';

mkdirSync(INSPECTOR_SVG_DIR, { recursive: true });
for (const name of Object.keys(MACHINES) as Array<keyof typeof MACHINES>) {
  writeFileSync(new URL(`${name}.svg`, INSPECTOR_SVG_DIR), await render(name, 'svg', { compact: true }));
}
process.stdout.write(`inspector drawings in ${fileURLToPath(INSPECTOR_SVG_DIR)}\n`);
