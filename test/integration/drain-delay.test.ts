/**
 * --drain-delay, for real: after TERM the server keeps serving new connections normally (the
 * unix socket file stays, the workers accept) for the delay, and only then drains and exits.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('--drain-delay', () => {
  it('serves new connections normally through the delay, then drains and exits 0', async () => {
    const sock = join(mkdtempSync(join(tmpdir(), 'statefork-drain-')), 'app.sock');
    const m = await startServing(['-w', '2', '--drain-delay', '2', '-b', `unix:${sock}`, 'hello.cjs']);
    const from = m.records.length;
    m.signal('SIGTERM');
    const delayed = await m.waitFor((r) => /^graceful stop after --drain-delay/.test(r.msg ?? ''), { from });
    expect(delayed.drainDelayMs).toBe(2000);
    // Until the drain starts, new connections keep coming in and are answered.
    let served = 0;
    while (!m.records.slice(from).some((r) => /^drain delay over/.test(r.msg ?? ''))) {
      expect(existsSync(sock)).toBe(true);
      expect((await get('http://x/', { socketPath: sock })).status).toBe(200);
      served++;
    }
    expect(served).toBeGreaterThan(10);
    const over = m.records.slice(from).find((r) => /^drain delay over/.test(r.msg ?? ''))!;
    expect(over.time - delayed.time).toBeGreaterThanOrEqual(2000);
    // No worker was told to drain before the delay was over.
    const draining = m.records.slice(from).filter((r) => r.machine === 'master.worker' && r.to === 'draining');
    expect(draining.every((r) => r.time >= over.time)).toBe(true);
    expect((await m.exited).code).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });
});
