/**
 * The systemd units the README shows pass `systemd-analyze verify` (systemd's own checker, from
 * Debian's package): every `# /etc/systemd/system/...` block is written where systemd would find
 * it, drop-ins included, and verified with nothing to say. A unit with a typo is caught the same
 * way, so the check is known to bite here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const README = readFileSync(fileURLToPath(new URL('../../docs/deploying.md', import.meta.url)), 'utf8');
const UNITS = [...README.matchAll(/```ini\n# \/etc\/systemd\/system\/(\S+)\n([\s\S]*?)```/g)].map((m) => ({ path: m[1], text: m[2] }));

/** Writes the units under a directory systemd is told to search, and verifies each unit (drop-ins with theirs). */
function verify(units: Array<{ path: string; text: string }>): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'statefork-units-'));
  for (const u of units) {
    mkdirSync(dirname(join(root, u.path)), { recursive: true });
    writeFileSync(join(root, u.path), u.text);
  }
  const names = [...new Set(units.map((u) => u.path.split('/')[0].replace(/\.d$/, '')))];
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...names], { encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${root}:` } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe("the README's systemd units", () => {
  it('are there: the socket, the service, and the fleet drop-in', () => {
    expect(UNITS.map((u) => u.path)).toEqual(['app.socket', 'app.service', 'app.service.d/fleet.conf']);
  });

  it('pass systemd-analyze verify with nothing to say', () => {
    expect(verify(UNITS)).toEqual({ status: 0, output: '' });
  });

  it('a typo in one is caught (the check bites)', () => {
    const broken = UNITS.map((u) =>
      u.path === 'app.service.d/fleet.conf' ? { ...u, text: u.text.replace('[Service]\n', '[Service]\nTimeoutStopSecs=40\n') } : u,
    );
    const r = verify(broken);
    expect(r.output).toMatch(/fleet\.conf:\d+: Unknown key 'TimeoutStopSecs' in section \[Service\], ignoring\./);
  });
});
