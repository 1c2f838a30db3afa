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
    // New connections, one after another, until the log says the drain began. The log can lag
    // behind the master: an attempt may fail once the drain began (the socket file is gone), so
    // each attempt's end time is kept and compared with the record's afterwards.
    const isOver = (r: Record<string, any>) => /^drain delay over/.test(r.msg ?? '');
    const attempts: Array<{ ok: boolean; end: number }> = [];
    while (!m.records.slice(from).some(isOver)) {
      const ok = await get('http://x/', { socketPath: sock }).then(
        (r) => r.status === 200,
        () => false,
      );
      attempts.push({ ok, end: Date.now() });
    }
    const over = m.records.slice(from).find(isOver)!;
    // The master logs "drain delay over" before it closes the sockets: every failure ends after it.
    expect(attempts.filter((a) => !a.ok && a.end < over.time)).toEqual([]);
    expect(attempts.filter((a) => a.ok).length).toBeGreaterThan(10);
    expect(over.time - delayed.time).toBeGreaterThanOrEqual(2000);
    // No worker was told to drain before the delay was over.
    const draining = m.records.slice(from).filter((r) => r.machine === 'master.worker' && r.to === 'draining');
    expect(draining.every((r) => r.time >= over.time)).toBe(true);
    expect((await m.exited).code).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });
});
