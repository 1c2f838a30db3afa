/**
 * --drain-delay: on TERM the master keeps everything as it is (workers serving, sockets open) for
 * the delay, then stops gracefully on the first tick past it. INT/QUIT cut it short.
 */
import { describe, expect, it } from 'vitest';
import { drive } from './harness.js';

describe('master machine: --drain-delay', () => {
  it('serves on through the delay, then closes the sockets and TERMs every worker', () => {
    const h = drive({ drainDelayMs: 5000 }).readyAll();
    h.send({ type: 'TERM' });
    expect(h.state()).toBe('stopping.graceful');
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toEqual([]);
    expect(h.signals()).toEqual([]);
    expect(h.logs(/after --drain-delay/)[0]).toMatchObject({ level: 'info', fields: { drainDelayMs: 5000 } });
    h.advance(4000).tick();
    expect(h.signals()).toEqual([]);
    h.advance(1000).tick();
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    h.advance(1000).tick().advance(1000).tick();
    expect(h.signals('SIGTERM')).toHaveLength(2);
    expect(h.logs(/drain delay over/)).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
    h.exit(1, 0).exit(2, 0);
    expect(h.state()).toBe('halted');
  });

  it('INT or QUIT during the delay stops quickly at once, closing the sockets once', () => {
    for (const type of ['INT', 'QUIT'] as const) {
      const h = drive({ drainDelayMs: 5000 }).readyAll();
      h.send({ type: 'TERM' }).advance(100).send({ type });
      expect(h.state()).toBe('stopping.quick');
      expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
      expect(h.signals('SIGQUIT').map((s) => s.id)).toEqual([1, 2]);
      h.advance(10_000).tick();
      expect(h.signals('SIGTERM')).toEqual([]);
    }
  });

  it('a second TERM does not restart the delay; with no worker left the master halts at once', () => {
    const h = drive({ drainDelayMs: 5000 }).readyAll();
    h.send({ type: 'TERM' }).advance(3000).send({ type: 'TERM' }).advance(2000).tick();
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2]);
    const empty = drive({ drainDelayMs: 5000, workers: 1 });
    empty.exit(1, null, 'SIGKILL');
    empty.send({ type: 'TERM' });
    expect(empty.state()).toBe('halted');
  });

  it('without a delay, TERM drains at once as before; ticks and an escalation close nothing twice', () => {
    const h = drive().readyAll();
    h.send({ type: 'TERM' });
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
    expect(h.signals('SIGTERM')).toHaveLength(2);
    expect(h.logs(/^graceful stop: workers finish/)).toHaveLength(1);
    h.advance(1000).tick();
    expect(h.logs(/drain delay over/)).toEqual([]);
    h.send({ type: 'INT' });
    expect(h.state()).toBe('stopping.quick');
    expect(h.effects.filter((e) => e.type === 'closeListeners')).toHaveLength(1);
  });
});
