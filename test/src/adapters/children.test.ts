import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { firstValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { childEvents$ } from '../../../src/adapters/children.js';
import { CHANNEL_MAX_LINE, CHANNEL_MAX_RATE } from '../../../machines/protocol.js';

/** A real child whose fd 3 is its channel; `script` writes to it with fs.writeSync(3, ...). */
function child(script: string) {
  const c = spawn(process.execPath, ['-e', `const fs = require('node:fs'); const w = (s) => fs.writeSync(3, s); ${script}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  return { c, channel: c.stdio[3] as Socket };
}

describe('childEvents$', () => {
  it('reports spawn, our protocol messages and the exit of a real child, in order', async () => {
    const { c, channel } = child(`
      w('{"statefork":1,"kind":"ready"}\\n');
      w('{"statefork":1,"kind":"stats","requests":4,"logFailures":2}\\n');
      w('{"statefork":1,"kind":"failed","reason":"why"}\\n');
      process.exit(3);
    `);
    const events = await firstValueFrom(childEvents$(c, 7, channel).pipe(toArray()));
    expect(events).toEqual([
      { type: 'WORKER_SPAWNED', id: 7, pid: c.pid },
      { type: 'WORKER_READY', id: 7 },
      { type: 'WORKER_STATS', id: 7, requests: 4, durations: undefined, logFailures: 2 },
      { type: 'WORKER_FAILED', id: 7, reason: 'why' },
      { type: 'WORKER_EXIT', id: 7, code: 3, signal: null },
    ]);
  });

  it.each([
    ['a line that is not JSON', `w('x\\n')`, /^a line that is not JSON \("x"\)$/],
    ['a message that is not ours', `w('{"app":"noise"}\\n')`, /^a message that is not statefork's/],
    ['a known kind with a bad field', `w('{"statefork":1,"kind":"stats","requests":-1}\\n')`, /^a message that is not statefork's/],
    ['a line that never ends', `w('x'.repeat(${CHANNEL_MAX_LINE + 10}))`, new RegExp(`^a line over ${CHANNEL_MAX_LINE} bytes`)],
  ])('reports %s once as a protocol error, and nothing after it', async (_, script, reason) => {
    const { c, channel } = child(`${script}; w('{"statefork":1,"kind":"ready"}\\n'); w('garbage\\n'); setTimeout(() => process.exit(0), 100);`);
    const events = await firstValueFrom(childEvents$(c, 2, channel).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['WORKER_SPAWNED', 'WORKER_PROTOCOL_ERROR', 'WORKER_EXIT']);
    expect(events[1]).toEqual({ type: 'WORKER_PROTOCOL_ERROR', id: 2, reason: expect.stringMatching(reason) });
  });

  it(`reads a flood past ${CHANNEL_MAX_RATE} lines a second in later seconds, losing none`, async () => {
    // About 30 KB: more than one read of the socket, so the reads past the rate wait.
    const n = 600;
    const { c, channel } = child(
      `for (let i = 0; i < ${n}; i++) w('{"statefork":1,"kind":"stats","requests":' + i + '}\\n'); setTimeout(() => process.exit(0), 2500);`,
    );
    const arrivals: number[] = [];
    const events = await firstValueFrom(
      childEvents$(c, 1, channel).pipe(
        tap((e) => {
          if (e.type === 'WORKER_STATS') arrivals.push(Date.now());
        }),
        toArray(),
      ),
    );
    const stats = events.filter((e) => e.type === 'WORKER_STATS');
    expect(stats.map((e) => (e as { requests: number }).requests)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Read in at least two seconds' windows: the second read waited for the next one.
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThan(400);
  });

  it('reports a process that never started as an exit', async () => {
    const c = spawn('/nonexistent/node', [], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    const events = await firstValueFrom(childEvents$(c, 1, (c.stdio[3] as Socket) ?? null).pipe(toArray()));
    expect(events).toEqual([{ type: 'WORKER_EXIT', id: 1, code: null, signal: null, error: expect.stringMatching(/ENOENT/) }]);
  });
});
