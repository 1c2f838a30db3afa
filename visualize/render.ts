/**
 * `statefork visualize`: the master and worker machines drawn from their definitions, as Mermaid
 * `stateDiagram-v2` text, Graphviz DOT, or SVG (rendered offline by Graphviz compiled to WASM).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { masterMachine } from '../machines/master.machine.js';
import { workerMachine } from '../machines/worker.machine.js';
import { shapeOf } from './graph.js';
import { toMermaid } from './mermaid.js';
import { toDot } from './dot.js';

export const FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type Format = (typeof FORMATS)[number];
const EXTENSIONS: Record<Format, string> = { mermaid: 'mmd', dot: 'dot', svg: 'svg' };

export const MACHINES = { master: masterMachine, worker: workerMachine } as const;

/** `compact`: the inspector's drawing, each edge's events collapsed to the first (the rest on hover). */
export async function render(name: keyof typeof MACHINES, format: Format, { compact = false } = {}): Promise<string> {
  const shape = shapeOf(MACHINES[name]);
  if (format === 'mermaid') return toMermaid(shape);
  if (format === 'dot') return toDot(shape, { compact });
  const { instance } = await import('@viz-js/viz');
  return (await instance()).renderString(toDot(shape, { compact }), { format: 'svg', engine: 'dot' });
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
