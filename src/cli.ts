#!/usr/bin/env node
/**
 * The `statefork` command. It checks the Node it runs on before it loads anything else (an
 * older Node would fail somewhere inside with a stack), then runs the command line.
 */
import { unsupportedNode } from './node-version.js';

const refused = unsupportedNode(process.versions.node);
if (refused) {
  process.stderr.write(`statefork: error: ${refused}\n`);
  process.exit(2); // EXIT.USAGE, not imported: machines/ is not loaded on an unsupported Node
}
await import('./command-line.js');
