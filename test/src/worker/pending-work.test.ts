import { describe, expect, it } from 'vitest';
import { appHasPending } from '../../../src/worker/pending-work.js';
import { guardSignals } from '../../../src/worker/signal-guard.js';

describe('appHasPending: more of some kind of resource than before the app loaded', () => {
  it.each([
    [['Timeout', 'PipeWrap'], ['Timeout', 'PipeWrap'], false],
    [['Timeout', 'PipeWrap'], ['PipeWrap'], false],
    [['Timeout'], ['Timeout', 'Timeout'], true],
    [['Timeout'], ['Timeout', 'FSReqCallback'], true],
    [[], [], false],
    [[], ['TCPSocketWrap'], true],
  ] as Array<[string[], string[], boolean]>)('%j then %j: %s', (before, now, pending) => expect(appHasPending(before, now)).toBe(pending));
});

describe('guardSignals', () => {
  const listener = () => {};
  it('release: the listeners the app added stay, and later ones are added as usual', () => {
    const warned: string[] = [];
    const guard = guardSignals(['SIGUSR2'], (s) => warned.push(s));
    process.on('SIGUSR2', listener);
    guard.release();
    process.once('SIGUSR2', listener);
    expect(process.listeners('SIGUSR2')).toHaveLength(2);
    process.removeAllListeners('SIGUSR2');
    expect(warned).toEqual([]);
  });

  it('takeOver: the listeners the app added go, later ones are refused, one warning per signal', () => {
    const warned: string[] = [];
    const before = process.listeners('SIGWINCH').length;
    const guard = guardSignals(['SIGWINCH', 'SIGUSR2'], (s) => warned.push(s));
    process.on('SIGWINCH', listener);
    process.prependListener('SIGWINCH', listener);
    process.on('exit', listener);
    guard.takeOver();
    expect(process.listeners('SIGWINCH')).toHaveLength(before);
    process.once('SIGWINCH', listener);
    process.addListener('SIGUSR2', listener);
    process.prependOnceListener('SIGUSR2', listener);
    expect(process.listeners('SIGWINCH')).toHaveLength(before);
    expect(process.listeners('SIGUSR2')).toHaveLength(0);
    // Other events are not the guard's business.
    expect(process.listeners('exit')).toContain(listener);
    process.off('exit', listener);
    expect(warned).toEqual(['SIGWINCH', 'SIGUSR2']);
    guard.release();
  });
});
