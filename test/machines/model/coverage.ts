/**
 * Coverage of the master machine's states and state-level transitions, by the model-based tests
 * (level 1) and the real-process runs (level 2). Written to test-output/ for `npm run test:model`.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));

function save(name: string, states: Set<string>, transitions: Set<string>): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(`${DIR}${name}.json`, JSON.stringify({ states: [...states].sort(), transitions: [...transitions].sort() }, null, 2));
}

export const recordLevel1 = (states: Set<string>, transitions: Set<string>) => save('model-level1', states, transitions);
/** Level 2 runs in several files (`part`): the report takes the union. */
export const recordLevel2 = (part: string, states: Set<string>, transitions: Set<string>) => save(`model-level2-${part}`, states, transitions);

export function load(name: string): { states: string[]; transitions: string[] } | null {
  const file = `${DIR}${name}.json`;
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}
