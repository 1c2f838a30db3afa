/**
 * `statefork visualize`: the master and worker machines drawn from their definitions, as Mermaid
 * `stateDiagram-v2` text, Graphviz DOT, or SVG (rendered offline by Graphviz compiled to WASM).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { masterMachine } from '../machines/master.machine.js';
import { workerMachine } from '../machines/worker.machine.js';
import { importPeer } from '../src/optional-peer.js';
import { StateforkError } from '../src/errors.js';
import { shapeOf } from './graph.js';
import { toMermaid } from './mermaid.js';
import { toDot } from './dot.js';
import { DIST } from '../src/dist-paths.js';

export const FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type Format = (typeof FORMATS)[number];
const EXTENSIONS: Record<Format, string> = { mermaid: 'mmd', dot: 'dot', svg: 'svg' };

export const MACHINES = { master: masterMachine, worker: workerMachine } as const;

/** `compact`: the inspector's drawing, each edge's events collapsed to the first (the rest on hover). */
export async function render(name: keyof typeof MACHINES, format: Format, { compact = false } = {}): Promise<string> {
  const shape = shapeOf(MACHINES[name]);
  if (format === 'mermaid') return toMermaid(shape);
  if (format === 'dot') return toDot(shape, { compact });
  const { instance } = await importPeer(
    '@viz-js/viz',
    (m) => new StateforkError('SF_USAGE', m),
    () => import('@viz-js/viz'),
  );
  return (await instance()).renderString(toDot(shape, { compact }), { format: 'svg', engine: 'dot' });
}

/** Where the build puts the inspector's drawings (visualize/prerender.ts), next to this module. */
export const INSPECTOR_SVG_DIR = new URL('visualize/inspector/', DIST);

/**
 * The inspector's drawing of a machine: drawn once at build time, so serving the page needs no
 * Graphviz (an optional package); drawn now only where the build did not (a bare tsc build).
 */
export async function inspectorSvg(name: keyof typeof MACHINES): Promise<string> {
  try {
    return readFileSync(new URL(`${name}.svg`, INSPECTOR_SVG_DIR), 'utf8');
  } catch {
    return render(name, 'svg', { compact: true });
  }
}

/** Writes master.<ext> and worker.<ext> into `dir`, or prints both when no directory is given. */
export async function visualize(format: Format, dir?: string): Promise<string[]> {
  const written: string[] = [];
  for (const name of Object.keys(MACHINES) as Array<keyof typeof MACHINES>) {
    const text = await render(name, format);
    if (!dir) {
      process.stdout.write(format === 'svg' ? text : `%% ${name} machine\n${text}\n`);
      continue;
    }
    mkdirSync(resolve(dir), { recursive: true });
    const file = join(resolve(dir), `${name}.${EXTENSIONS[format]}`);
    writeFileSync(file, text);
    written.push(file);
  }
  return written;
}
