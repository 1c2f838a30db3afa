/**
 * systemd readiness and state (sd_notify): when NOTIFY_SOCKET is set, the master reports READY=1
 * once the first generation serves, RELOADING=1 and READY=1 around a reload, STOPPING=1, and a
 * STATUS= line with the worker count. Node cannot send unix datagrams, so each notification is
 * one run of systemd's own systemd-notify (with --pid, so systemd knows the main pid; a unit
 * needs NotifyAccess=all, as the sender is that helper). NOTIFY_SOCKET is removed from the
 * environment once read: workers never notify.
 *
 * A hot upgrade moves the main pid: the new master's READY=1 names itself (MAINPID=), after which
 * the old master stays silent (its STOPPING=1 would stop the service); a new master stopped
 * before it was promoted (a rollback) gives MAINPID= back to the old one, and the old master takes
 * it back too when its new master is gone.
 */
import { childProcess } from '../../node-builtins.js';
import type { MasterStep } from '../../../machines/master.facts.js';
import type { Logger } from '../../log.js';

const { spawn } = childProcess();

/** MAINPID: the pid the message is about (systemd-notify --pid); the other fields as given. */
export type Notify = ((fields: { MAINPID: number } & Record<string, string | number>) => void) & {
  /** The socket's path: gone from the environment, but a hot upgrade's new master needs it. */
  socket: string;
};

export function systemdNotifier(env: NodeJS.ProcessEnv, log: Logger): Notify | null {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return null;
  delete env.NOTIFY_SOCKET;
  let warned = false;
  // One helper at a time, in order: RELOADING=1 must never overtake the READY=1 that follows it.
  let previous: Promise<void> = Promise.resolve();
  const send = (args: string[]) =>
    new Promise<void>((done) => {
      const child = spawn('systemd-notify', args, { env: { ...env, NOTIFY_SOCKET: socket }, stdio: 'ignore' });
      child.once('exit', () => done());
      child.once('error', (e: NodeJS.ErrnoException) => {
        done();
        if (warned) return;
        warned = true;
        log.warn(
          { err: e.message },
          `NOTIFY_SOCKET is set but systemd-notify cannot run (${e.code ?? e.message}): install systemd's systemd-notify, or unset NOTIFY_SOCKET`,
        );
      });
    });
  const notify = ({ MAINPID, ...fields }: { MAINPID: number } & Record<string, string | number>) => {
    const args = [`--pid=${MAINPID}`, ...Object.entries(fields).map(([k, v]) => `${k}=${v}`)];
    previous = previous.then(() => send(args));
  };
  return Object.assign(notify, { socket });
}

/** CLOCK_MONOTONIC in microseconds, which systemd wants beside RELOADING=1. */
export const monotonicUsec = (): string => String(process.hrtime.bigint() / 1000n);

const statusLine = (state: string, workers: number) => `${state}, ${workers} worker${workers === 1 ? '' : 's'}`;

/**
 * What to tell systemd after a step of the master (null: nothing), from the facts of the step:
 * the first generation serves, a reload starts or ends, the stop begins, or a new worker target
 * (TTIN/TTOU) while serving.
 */
export function notification(step: MasterStep): Record<string, string | number> | null {
  const { after } = step;
  const status = statusLine(after.state, after.context.target);
  if (!step.moved) return after.serving && step.targetChanged ? { STATUS: status } : null;
  if (step.ready) return { READY: 1, STATUS: status };
  if (step.reloadStarted) return { RELOADING: 1, MONOTONIC_USEC: monotonicUsec(), STATUS: status };
  if (step.reloadEnded && after.serving) return { READY: 1, STATUS: status };
  if (step.stopBegan) return { STOPPING: 1, STATUS: status };
  return null;
}

/** The whole message for a step (MAINPID included), or null: `notification` plus the hot upgrade's rules. */
export function stepNotification(step: MasterStep, pid: number): ({ MAINPID: number } & Record<string, string | number>) | null {
  const [before, after] = [step.before?.context, step.after.context];
  // A ready new master is systemd's main process: this one says nothing any more.
  if (after.upgrade?.ready) return null;
  if (before?.upgrade?.ready && !step.after.stopping) return { MAINPID: pid, READY: 1, STATUS: statusLine(step.after.state, after.target) };
  if (after.upgradeFrom !== null && step.stopBegan) return { MAINPID: after.upgradeFrom };
  const message = notification(step);
  return message && { MAINPID: pid, ...message };
}

/** Tells systemd what each step means, when NOTIFY_SOCKET is set. */
export function notifyObserver(notify: Notify, pid: number): (step: MasterStep) => void {
  return (step) => {
    const message = stepNotification(step, pid);
    if (message) notify(message);
  };
}
