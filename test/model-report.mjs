// `npm run test:model`: runs the model-based tests at both levels, then reports which states and
// transitions of the master machine each level covered, and what level 2 (real processes) missed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = spawnSync(process.execPath, [
  `${root}node_modules/vitest/vitest.mjs`, 'run', '--config', 'test/vitest.config.ts',
  'test/machines/master.model.test.ts', 'test/machines/master.property.test.ts', 'test/machines/worker.model.test.ts',
  'test/integration/model-paths.test.ts',
], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status !== 0) process.exit(run.status ?? 1);

const { masterMachine } = await import(`${root}dist/machines/master.machine.js`);
const leaves = [];
(function walk(node, prefix) {
  const children = Object.entries(node.states ?? {});
  if (!children.length) return leaves.push(prefix);
  for (const [key, child] of children) walk(child, prefix ? `${prefix}.${key}` : key);
})(masterMachine.root, '');

const read = (name) => JSON.parse(readFileSync(`${root}test-output/${name}.json`, 'utf8'));
const l1 = read('model-level1');
const l2 = read('model-level2');
const pct = (a, b) => `${a}/${b} (${Math.round((100 * a) / b)}%)`;
const l2set = new Set(l2.transitions);
const missed = l1.transitions.filter((t) => !l2set.has(t));

console.log('\nModel coverage of the master machine');
console.log(`  states in the definition: ${leaves.join(', ')}`);
console.log(`  level 1 (generated paths, simulated world): states ${pct(l1.states.length, leaves.length)}, transitions ${l1.transitions.length}`);
console.log(`  level 2 (real processes, real signals):     states ${pct(l2.states.length, leaves.length)}, transitions ${pct(l1.transitions.filter((t) => l2set.has(t)).length, l1.transitions.length)}`);
// Transitions no real run can take yet, and why.
const NOT_REALIZABLE = {};
console.log(`  level 1 transitions not taken at level 2 (${missed.length}):`);
for (const t of missed) console.log(`    ${t}${NOT_REALIZABLE[t] ? `  [not realizable yet: ${NOT_REALIZABLE[t]}]` : ''}`);
if (missed.some((t) => !NOT_REALIZABLE[t])) process.exitCode = 1;
