import { spawn } from 'node:child_process';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { childEvents$ } from '../../../src/adapters/children.js';

describe('childEvents$', () => {
  it("reports spawn, our protocol messages (not the app's) and the exit of a real child", async () => {
    const child = spawn(process.execPath, ['-e', `
      process.send({ app: 'noise' });
      process.send({ statefork: 1, kind: 'ready' });
      process.send({ statefork: 1, kind: 'failed', reason: 'why' }, () => process.exit(3));
    `], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const events = await firstValueFrom(childEvents$(child, 7).pipe(toArray()));
    expect(events).toEqual([
      { type: 'WORKER_SPAWNED', id: 7, pid: child.pid },
      { type: 'WORKER_READY', id: 7 },
      { type: 'WORKER_FAILED', id: 7, reason: 'why' },
      { type: 'WORKER_EXIT', id: 7, code: 3, signal: null },
    ]);
  });

  it('reports a process that never started as an exit', async () => {
    const child = spawn('/nonexistent/node', [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const events = await firstValueFrom(childEvents$(child, 1).pipe(toArray()));
    expect(events).toEqual([{ type: 'WORKER_EXIT', id: 1, code: null, signal: null, error: expect.stringMatching(/ENOENT/) }]);
  });
});
