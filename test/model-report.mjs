// `npm run test:model`: runs the model-based tests at both levels, then reports which states and
// transitions of the master machine each level covered, and what level 2 (real processes) missed.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Level 2 is written by several test files: none left over from an older run may count.
try {
  for (const f of readdirSync(`${root}test-output`)) if (f.startsWith('model-level')) rmSync(`${root}test-output/${f}`);
} catch { /* no output yet */ }
const run = spawnSync(process.execPath, [
  `${root}node_modules/vitest/vitest.mjs`, 'run', '--config', 'test/vitest.config.ts',
  'test/machines/master.model.test.ts', 'test/machines/master.property.test.ts', 'test/machines/worker.model.test.ts',
  'test/integration/model-paths.test.ts', 'test/integration/model-paths.upgrade.test.ts', 'test/integration/model-paths.hardening.test.ts',
  'test/integration/adaptive.test.ts',
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
const parts = readdirSync(`${root}test-output`).filter((f) => /^model-level2-.*\.json$/.test(f)).map((f) => read(f.slice(0, -5)));
const l2 = { states: [...new Set(parts.flatMap((p) => p.states))], transitions: [...new Set(parts.flatMap((p) => p.transitions))] };
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
if (leaves.some((s) => !l2.states.includes(s))) process.exitCode = 1;
