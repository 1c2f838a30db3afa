/**
 * Recycling (--max-requests, --max-memory): a worker at its limit asks; the master boots a
 * replacement first and retires the worker only once the replacement is ready, so capacity
 * never drops (gunicorn's worker exits first and is replaced after).
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS, drive } from './harness.js';

const recycle = (id: number, reason: 'max-requests' | 'max-memory' = 'max-requests') => ({ type: 'WORKER_RECYCLE' as const, id, reason });

describe('master machine: recycling', () => {
  it('boots a replacement, then retires the worker gracefully once the replacement is ready', () => {
    const h = drive().readyAll();
    h.send(recycle(1));
    expect(h.state()).toBe('serving.running');
    expect(h.spawned().slice(2)).toEqual([{ type: 'spawn', id: 3, generation: 1, yieldCpu: true }]);
    expect(h.signals()).toEqual([]);
    expect(h.logs(/recycling limit/)[0]).toMatchObject({ level: 'info', fields: { id: 1, reason: 'max-requests' } });
    h.send({ type: 'WORKER_SPAWNED', id: 3, pid: 13 }).send({ type: 'WORKER_READY', id: 3 });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1]);
    expect(h.workers().find((w) => w.id === 1)).toMatchObject({ phase: 'draining', cause: 'recycle', deadline: h.now + SETTINGS.gracefulTimeoutMs });
    h.exit(1, 0);
    expect(h.logs(/worker exited: retired/)).toHaveLength(1);
    expect(h.ctx().failures).toBe(0);
    expect(h.workers().map((w) => [w.id, w.phase])).toEqual([
      [2, 'ready'],
      [3, 'ready'],
    ]);
  });

  it('keeps the worker serving while its replacement cannot boot', () => {
    const h = drive().readyAll();
    h.send(recycle(2, 'max-memory'));
    h.send({ type: 'WORKER_SPAWNED', id: 3, pid: 13 }).exit(3, 3);
    expect(h.signals()).toEqual([]);
    expect(
      h
        .workers()
        .filter((w) => w.phase === 'ready')
        .map((w) => w.id),
    ).toEqual([1, 2]);
    expect(h.ctx().failures).toBe(1);
  });

  it('counts a worker once: a second request, or one from a worker not ready, changes nothing', () => {
    const h = drive().readyAll();
    h.send(recycle(1)).send(recycle(1));
    expect(h.spawned()).toHaveLength(3);
    expect(h.logs(/recycling limit/)).toHaveLength(1);
    h.send(recycle(3)); // still spawning
    h.send(recycle(99)); // unknown
    expect(h.spawned()).toHaveLength(3);
    expect(h.workers().find((w) => w.id === 3)!.recycle).toBeNull();
  });

  it('is ignored while stopping: every worker is on its way out already', () => {
    const h = drive().readyAll();
    h.send({ type: 'TERM' }).send(recycle(1));
    expect(h.state()).toBe('stopping.graceful');
    expect(h.spawned()).toHaveLength(2);
  });

  it('during a reload, a new worker at its limit is replaced within the new generation', () => {
    const h = drive().readyAll();
    h.send({ type: 'HUP' }).send({ type: 'CONFIG_LOADED', settings: SETTINGS });
    h.send({ type: 'WORKER_READY', id: 3 });
    h.send(recycle(3));
    expect(h.spawned().at(-1)).toEqual({ type: 'spawn', id: 5, generation: 2, yieldCpu: true });
    h.send({ type: 'WORKER_READY', id: 4 });
    expect(h.state()).toBe('serving.running');
    h.send({ type: 'WORKER_READY', id: 5 });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1, 2, 3]);
    // The old generation is retired for the reload, the worker at its limit for recycling.
    expect(
      h
        .workers()
        .filter((w) => w.phase === 'draining')
        .map((w) => [w.id, w.cause]),
    ).toEqual([
      [1, 'retire'],
      [2, 'retire'],
      [3, 'recycle'],
    ]);
  });

  it('while booting, the first generation still becomes ready and the worker is replaced after', () => {
    const h = drive();
    h.send({ type: 'WORKER_SPAWNED', id: 1, pid: 11 }).send({ type: 'WORKER_READY', id: 1 }).send(recycle(1));
    expect(h.state()).toBe('booting');
    expect(h.spawned().at(-1)).toEqual({ type: 'spawn', id: 3, generation: 1, yieldCpu: true });
    h.send({ type: 'WORKER_READY', id: 2 });
    expect(h.state()).toBe('serving.running');
    expect(h.signals()).toEqual([]);
    h.send({ type: 'WORKER_READY', id: 3 });
    expect(h.signals('SIGTERM').map((s) => s.id)).toEqual([1]);
  });
});
