/**
 * The direction of imports (.dependency-cruiser.cjs), for real: the tree as it is passes, and a
 * small tree that breaks each rule once fails with that rule's name, so the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

function cruise(cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((ok) => {
    execFile(
      process.execPath,
      [CRUISER, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err-long', 'src', 'machines'],
      { cwd },
      (err, stdout, stderr) => {
        ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
      },
    );
  });
}

describe('the direction of imports', () => {
  it('src/ and machines/ have no circle and keep the layers', async () => {
    const { code, out } = await cruise(ROOT);
    expect(out).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });

  it('each rule fails on a tree that breaks it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-imports-'));
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
      'src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'machines/clock.ts': "import { now } from '../src/time.js';\nexport const at = now;\n",
      'src/time.ts': 'export const now = 1;\n',
      'src/config/options.ts': 'export type LogLevelName = string;\n',
      'src/log.ts': "import type { LogLevelName } from './config/options.js';\nexport const level: LogLevelName = 'info';\n",
      'src/worker/main.ts':
        "import { level } from '../log.js';\nimport type { Master } from '../master/runtime.js';\nexport const m: Master | null = level ? null : null;\n",
      'src/master/runtime.ts': 'export interface Master { pid: number }\n',
      'src/metrics/view.ts': "import type { Master } from '../master/runtime.js';\nexport const v: Master | null = null;\n",
      'src/adapters/os.ts': "import type { Master } from '../master/runtime.js';\nexport const o: Master | null = null;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const { code, out } = await cruise(dir);
    rmSync(dir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    const broken = [...new Set([...out.matchAll(/error (\S+): (\S+)/g)].map(([, rule, from]) => `${rule} ${from}`))].sort();
    expect(broken).toEqual([
      'adapters-decide-nothing src/adapters/os.ts',
      'machines-import-only-xstate machines/clock.ts',
      'no-circular src/a.ts',
      'views-not-master src/metrics/view.ts',
      'worker-not-config-or-master src/worker/main.ts',
      'worker-reach-not-config-or-master src/worker/main.ts',
    ]);
  });
});
