/**
 * Where statefork's own files are at run time: the worker's entry, the CLI (for USR2 and the
 * daemon), the native parts, the drawings, package.json. Found from the built tree (dist/), not
 * from the module asking: the CLI and the worker are bundles (src/bundle.mjs) whose code runs
 * from dist/src/ and dist/src/chunks/, so a path relative to one module's own file would point
 * elsewhere once it is bundled. Run from the sources (the unit tests), it is the repository's dist/.
 */
import { fileURLToPath } from 'node:url';

const here = import.meta.url;
const at = here.lastIndexOf('/dist/');
/** The package's dist/ folder, as a file: URL ending in a slash. */
export const DIST = at >= 0 ? new URL(here.slice(0, at + '/dist/'.length)) : new URL('../dist/', here);

/** The absolute path of `relative` (e.g. 'src/worker/main.js') under dist/. */
export const distPath = (relative: string): string => fileURLToPath(new URL(relative, DIST));
