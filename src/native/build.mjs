// Builds statefork's native parts for this platform into dist/src/native/, where ./addons.ts
// looks for them:
//  - the reaper (./reaper.c), Node-API: one build serves Node 22, 24 and 26 (headers from the
//    node-22 dev dependency, the oldest line: what it declares, every later line has);
//  - the watchdog (./watchdog.cc), V8's API: one build per Node ABI, with the headers of each
//    Node line the dev dependencies install (node-22, node-24, node-26).
// Without a compiler the build goes on without them, and says so: a PID 1 master then warns that
// it cannot reap orphans, and workers take hang stacks with a watchdog thread instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'dist', 'src', 'native');
const lines = ['node-22', 'node-24', 'node-26'].map((name) => join(root, 'node_modules', name)).filter((dir) => existsSync(join(dir, 'include', 'node', 'node_api.h')));

function compile(compiler, args, what) {
  try {
    execFileSync(compiler, args, { stdio: 'inherit' });
    return true;
  } catch (e) {
    console.warn(`native ${what}: not built: ${compiler} failed (${e.code ?? e.status})`);
    return false;
  }
}

if (process.platform !== 'linux') {
  console.log(`native parts: not built on ${process.platform} (they are for Linux)`);
} else if (!lines.length) {
  console.warn('native parts: not built: no Node headers (npm ci installs them with node-22, node-24, node-26)');
} else {
  mkdirSync(out, { recursive: true });
  const tag = `${process.platform}-${process.arch}`;
  compile(process.env.CC || 'cc', ['-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-I', join(lines[0], 'include', 'node'), '-o', join(out, `reaper-${tag}.node`), join(root, 'src', 'native', 'reaper.c')], 'reaper');
  for (const line of lines) {
    const abi = execFileSync(join(line, 'bin', 'node'), ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
    // -Wno-cast-function-type: node.h's own registration macro casts the init function.
    compile(process.env.CXX || 'g++', ['-std=gnu++20', '-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-Wno-cast-function-type',
      '-I', join(line, 'include', 'node'), '-o', join(out, `watchdog-${tag}-abi${abi}.node`), join(root, 'src', 'native', 'watchdog.cc')], `watchdog for ABI ${abi}`);
  }
}
