// Runs the smoke subset of the integration tests, and the hang stacks (the native watchdog is
// built for each Node ABI), on Node 22 and 26 (the whole suite runs on 24),
// whose binaries come from the dev dependencies node-22 and node-26 (npm packages, no download
// at test time).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = `${root}node_modules/vitest/vitest.mjs`;
let failed = false;
for (const major of ['22', '26']) {
  const node = `${root}node_modules/node-${major}/bin/node`;
  if (!existsSync(node)) {
    // On linux-x64 the binaries are always installed; a missing one is an install problem.
    console.error(`Node ${major} is missing at ${node}: run npm ci (dev dependency node-${major})`);
    failed = true;
    continue;
  }
  console.log(`\n== smoke tests on Node ${major} (${node})`);
  const r = spawnSync(node, [vitest, "run", "--config", "test/vitest.config.ts", "test/integration/smoke.test.ts"], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
  // The native watchdog is built per Node ABI: each line's own build takes each kind of hang.
  console.log(`\n== hang stacks on Node ${major}`);
  const hangs = spawnSync(node, [vitest, "run", "--config", "test/vitest.config.ts", "test/integration/hang-stacks.test.ts", "-t", "native watchdog|a busy loop|Atomics.wait|execSync"], { cwd: root, stdio: 'inherit' });
  if (hangs.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
