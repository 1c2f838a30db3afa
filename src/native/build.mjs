// Builds the native reaper (./reaper.c) for this platform into dist/src/native/, where the
// master looks for it (src/master/orphan-reaper.ts). Node-API only: one build serves Node 22, 24
// and 26. The headers come from the node-22 dev dependency (the oldest line: what it declares,
// every later line has). Without a C compiler the build goes on without it, and says so: a
// master that is PID 1 then warns at start that it cannot reap orphans.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = join(root, 'src', 'native', 'reaper.c');
const out = join(root, 'dist', 'src', 'native', `reaper-${process.platform}-${process.arch}.node`);
const headers = [join(root, 'node_modules', 'node-22', 'include', 'node'), join(dirname(process.execPath), '..', 'include', 'node')].find((d) => existsSync(join(d, 'node_api.h')));

if (process.platform !== 'linux') {
  console.log(`native reaper: not built on ${process.platform} (it is for Linux)`);
} else if (!headers) {
  console.warn('native reaper: not built: no node_api.h (npm ci installs it with node-22)');
} else {
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env.CC || 'cc';
  try {
    execFileSync(cc, ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-I', headers, '-o', out, source], { stdio: 'inherit' });
  } catch (e) {
    console.warn(`native reaper: not built: ${cc} failed (${e.code ?? e.status}); a master that is PID 1 will say it cannot reap orphans`);
  }
}
