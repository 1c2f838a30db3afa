import { describe, expect, it } from 'vitest';
import { notification } from '../../../src/master/notify.js';

describe('systemd notifications for master transitions', () => {
  it('READY once the first generation serves, RELOADING then READY around a reload, STOPPING once', () => {
    expect(notification('booting', 'serving.running', 2)).toEqual({ READY: 1, STATUS: 'serving.running, 2 workers' });
    expect(notification('serving.running', 'serving.reloading.configuring', 1)).toMatchObject({ RELOADING: 1, STATUS: 'serving.reloading.configuring, 1 worker' });
    expect(notification('serving.running', 'serving.reloading.configuring', 1)!.MONOTONIC_USEC).toMatch(/^\d+$/);
    expect(notification('serving.reloading.configuring', 'serving.reloading.rolling', 2)).toBeNull();
    expect(notification('serving.reloading.rolling', 'serving.running', 2)).toMatchObject({ READY: 1 });
    // A configuration that did not load ends the reload too: systemd must hear READY again.
    expect(notification('serving.reloading.configuring', 'serving.running', 2)).toMatchObject({ READY: 1 });
    expect(notification('serving.running', 'stopping.graceful', 2)).toMatchObject({ STOPPING: 1 });
    expect(notification('booting', 'stopping.quick', 2)).toMatchObject({ STOPPING: 1 });
    expect(notification('stopping.graceful', 'stopping.quick', 2)).toBeNull();
    expect(notification('stopping.quick', 'halted', 0)).toBeNull();
    expect(notification(null, 'booting', 2)).toBeNull();
  });

  it('a new worker target while serving is a STATUS line; nothing else changes nothing', () => {
    expect(notification('serving.running', 'serving.running', 3, 2)).toEqual({ STATUS: 'serving.running, 3 workers' });
    expect(notification('serving.running', 'serving.running', 1, 2)).toEqual({ STATUS: 'serving.running, 1 worker' });
    expect(notification('serving.running', 'serving.running', 2, 2)).toBeNull();
    expect(notification('booting', 'booting', 3, 2)).toBeNull();
  });
});
