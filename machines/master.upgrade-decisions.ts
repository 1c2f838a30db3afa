/**
 * The master machine's decisions about a hot upgrade (USR2): in the old master, the new master
 * started, spawned, ready or gone; in the new master, telling the old one and being promoted.
 */
import { assertEvent } from 'xstate';
import { decide } from './master.decide.js';
import { MSG } from './master.messages.js';
import { logEffect } from './master.plan.js';

export const upgradeDecisions = {
  /** The first generation is ready: a new master tells the old one. */
  announceReady: decide(({ context, enqueue }) => {
    if (context.upgradeFrom !== null) enqueue({ type: 'tellOldMaster' });
  }),
  beginUpgrade: decide(({ enqueue }) => {
    enqueue.assign({ upgrade: { pid: null, ready: false } });
    enqueue(logEffect('info', MSG.usr2));
    enqueue({ type: 'startUpgrade' });
  }),
  recordUpgradeSpawn: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'UPGRADE_SPAWNED');
    if (!context.upgrade) return;
    enqueue.assign({ upgrade: { ...context.upgrade, pid: event.pid } });
    enqueue(logEffect('info', MSG.upgradeSpawned, { newMasterPid: event.pid }));
  }),
  noteUpgradeReady: decide(({ context, enqueue }) => {
    if (!context.upgrade || context.upgrade.ready) return;
    enqueue.assign({ upgrade: { ...context.upgrade, ready: true } });
    const msg = context.settings.upgradeAuto ? MSG.upgradeAuto : MSG.upgradeReady;
    enqueue(logEffect('info', msg, { newMasterPid: context.upgrade.pid }));
  }),
  noteUpgradeExit: decide(({ context, event, enqueue }) => {
    assertEvent(event, 'UPGRADE_EXIT');
    if (!context.upgrade) return;
    enqueue.assign({ upgrade: null });
    const { pid, ready } = context.upgrade;
    const fields = { newMasterPid: pid, code: event.code, signal: event.signal, reason: event.reason };
    enqueue(ready ? logEffect('warn', MSG.upgradeGone, fields) : logEffect('error', MSG.upgradeFailed, fields));
  }),
  promote: decide(({ context, enqueue }) => {
    if (context.upgradeFrom === null) return;
    enqueue.assign({ upgradeFrom: null });
    enqueue(logEffect('info', MSG.promoted, { oldMasterPid: context.upgradeFrom }));
    enqueue({ type: 'claimPidfile' });
  }),
};
