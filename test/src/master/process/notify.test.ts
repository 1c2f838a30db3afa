import { describe, expect, it } from 'vitest';
import type { StateValue } from 'xstate';
import * as notify from '../../../../src/master/process/notify.js';
import { masterMachine } from '../../../../machines/master.machine.js';
import { initialContext, type Upgrade } from '../../../../machines/master.context.js';
import { masterStep, masterView, type MasterView } from '../../../../machines/master.facts.js';

/** The master in a state (by its name), resolved by the real machine: its tags are the machine's. */
interface NotifyView {
  state: string;
  target: number;
  upgrade: Upgrade | null;
  upgradeFrom: number | null;
}
const asValue = (name: string): StateValue => {
  const parts = name.split('.');
  return parts.slice(0, -1).reduceRight<StateValue>((inner, key) => ({ [key]: inner }), parts.at(-1)!);
};
function viewOf({ state, target, upgrade, upgradeFrom }: NotifyView): MasterView {
  const context = {
    ...initialContext({ settings: { workers: target, timeoutMs: 0, gracefulTimeoutMs: 0, bootTimeoutMs: 0 }, now: 0 }),
    target,
    upgrade,
    upgradeFrom,
  };
  return masterView(masterMachine.resolveState({ value: asValue(state), context }));
}
const view = (state: string, over: Partial<NotifyView> = {}): NotifyView => ({ state, target: 2, upgrade: null, upgradeFrom: null, ...over });
/** The step from one state to another, with the worker target before and after. */
const notification = (from: string | null, to: string, workers: number, workersBefore = workers) =>
  notify.notification(masterStep(from === null ? null : viewOf(view(from, { target: workersBefore })), viewOf(view(to, { target: workers })), 'TEST'));
const stepNotification = (before: NotifyView | null, after: NotifyView, pid: number) =>
  notify.stepNotification(masterStep(before && viewOf(before), viewOf(after), 'TEST'), pid);

describe('systemd notifications for master transitions', () => {
  it('READY once the first generation serves, RELOADING then READY around a reload, STOPPING once', () => {
    expect(notification('booting', 'serving.running', 2)).toEqual({ READY: 1, STATUS: 'serving.running, 2 workers' });
    expect(notification('serving.running', 'serving.reloading.configuring', 1)).toMatchObject({
      RELOADING: 1,
      STATUS: 'serving.reloading.configuring, 1 worker',
    });
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

describe('systemd notifications through a hot upgrade', () => {
  const pending = { upgrade: { pid: 20, ready: false } };
  const ready = { upgrade: { pid: 20, ready: true } };

  it('name this master as MAINPID in every ordinary message', () => {
    expect(stepNotification(view('booting'), view('serving.running'), 10)).toEqual({ MAINPID: 10, READY: 1, STATUS: 'serving.running, 2 workers' });
    expect(stepNotification(null, view('booting'), 10)).toBeNull();
    expect(stepNotification(view('serving.running', pending), view('stopping.graceful', pending), 10)).toMatchObject({ MAINPID: 10, STOPPING: 1 });
  });

  it('the new master claims MAINPID when ready; the old master then says nothing, not even STOPPING', () => {
    expect(stepNotification(view('booting', { upgradeFrom: 10 }), view('serving.running', { upgradeFrom: 10 }), 20)).toEqual({
      MAINPID: 20,
      READY: 1,
      STATUS: 'serving.running, 2 workers',
    });
    expect(stepNotification(view('serving.running', pending), view('serving.running', ready), 10)).toBeNull();
    expect(stepNotification(view('serving.running', ready), view('serving.handedOver', ready), 10)).toBeNull();
    expect(stepNotification(view('serving.handedOver', ready), view('stopping.graceful', ready), 10)).toBeNull();
    expect(stepNotification(view('serving.running', ready), view('serving.running', { ...ready, target: 3 }), 10)).toBeNull();
  });

  it('the old master takes MAINPID back when its ready new master is gone, unless it is stopping itself', () => {
    expect(stepNotification(view('serving.handedOver', ready), view('serving.running', { target: 1 }), 10)).toEqual({
      MAINPID: 10,
      READY: 1,
      STATUS: 'serving.running, 1 worker',
    });
    expect(stepNotification(view('serving.running', ready), view('serving.running'), 10)).toMatchObject({ MAINPID: 10, READY: 1 });
    expect(stepNotification(view('stopping.graceful', ready), view('stopping.graceful'), 10)).toBeNull();
    // A new master that failed before it was ready never had MAINPID: nothing to take back.
    expect(stepNotification(view('serving.running', pending), view('serving.running'), 10)).toBeNull();
  });

  it('a new master stopped before it is promoted gives MAINPID back to the old one, once', () => {
    expect(stepNotification(view('serving.running', { upgradeFrom: 10 }), view('stopping.graceful', { upgradeFrom: 10 }), 20)).toEqual({ MAINPID: 10 });
    expect(stepNotification(view('stopping.graceful', { upgradeFrom: 10 }), view('stopping.quick', { upgradeFrom: 10 }), 20)).toBeNull();
    expect(stepNotification(view('serving.running'), view('stopping.graceful'), 20)).toMatchObject({ MAINPID: 20, STOPPING: 1 });
  });
});
