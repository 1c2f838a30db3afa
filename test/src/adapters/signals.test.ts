import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { signals$ } from '../../../src/adapters/signals.js';
import { MASTER_SIGNALS } from '../../../machines/signals.js';

describe('signals$', () => {
  it('turns real signals sent to this process into events of the table', async () => {
    const events = firstValueFrom(signals$(MASTER_SIGNALS).pipe(take(3), toArray()));
    process.kill(process.pid, 'SIGHUP');
    await new Promise((ok) => setTimeout(ok, 20));
    process.kill(process.pid, 'SIGTTIN');
    await new Promise((ok) => setTimeout(ok, 20));
    process.kill(process.pid, 'SIGUSR2');
    expect(await events).toEqual([
      { type: 'HUP', signal: 'SIGHUP' },
      { type: 'TTIN', signal: 'SIGTTIN' },
      { type: 'USR2', signal: 'SIGUSR2' },
    ]);
  });

  it('removes its listeners when unsubscribed, so default dispositions come back', () => {
    const before = process.listenerCount('SIGHUP');
    const sub = signals$(MASTER_SIGNALS).subscribe();
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    expect(process.listenerCount('SIGWINCH')).toBeGreaterThan(0);
    sub.unsubscribe();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
