/**
 * The main thread's side of the watchdog (--hang-stacks): it gives the watchdog a shared counter
 * that the heartbeat bumps, and the watchdog does the rest on its own thread, so it works while
 * this one is stuck. Nothing runs per request: one Atomics.add per heartbeat.
 *
 * Two watchdogs, the same line to the master (machines/watchdog-protocol.ts):
 *  - native (../native/watchdog.cc), when it is built for this Node's ABI: a plain OS thread that
 *    asks V8 for an interrupt and reads the stack in it. No second isolate: it costs the worker
 *    next to nothing.
 *  - otherwise a worker_threads thread (./watchdog-thread.ts) that attaches the inspector: about
 *    12 MiB more per worker on Node 24 (a second isolate), the same stacks. The master says once at start
 *    which one its workers run.
 * Both explain a hang in a JavaScript loop, a regular expression and Atomics.wait with the stack,
 * and one in a system call (execSync, a blocking read) or a native call with a note; the master
 * adds the kernel's view either way.
 */
import { workerThreads } from '../node-builtins.js';
import { WORKER_FD } from '../../machines/protocol.js';
import { loadAddon, WATCHDOG } from '../native/addons.js';
import type { Logger } from '../record-log.js';
import { DIST } from '../dist-paths.js';

export interface WatchdogData {
  fd: number;
  stallMs: number;
  beats: SharedArrayBuffer;
}

/** How long the watchdog waits for the stack before it says the main thread is blocked outside JavaScript. */
export const pauseWaitMs = (stallMs: number) => Math.min(1000, Math.max(100, Math.round(stallMs / 2)));

/** What either watchdog says when no frame came in time: the main thread takes no interrupt in a system call. */
export const blockedNote = (waitedMs: number) => `no JavaScript frame within ${waitedMs} ms: the main thread is blocked outside JavaScript (a system call)`;

interface NativeWatchdog {
  start(beats: SharedArrayBuffer, stallMs: number, fd: number, pauseWaitMs: number, blockedNote: string): void;
}

export function startWatchdog(stallMs: number, log: Logger): { beat(): void } {
  const beats = new SharedArrayBuffer(4);
  const counter = new Int32Array(beats);
  const beat = () => void Atomics.add(counter, 0, 1);
  const native = loadAddon<NativeWatchdog>(WATCHDOG);
  if (!(native instanceof Error)) {
    const waitMs = pauseWaitMs(stallMs);
    native.start(beats, stallMs, WORKER_FD.watchdog, waitMs, blockedNote(waitMs));
    return { beat };
  }
  const data: WatchdogData = { fd: WORKER_FD.watchdog, stallMs, beats };
  // No execArgv: the app's preloads (--import, --require: an APM agent, OpenTelemetry) are for
  // the main thread; a thread inherits them otherwise, and would start a second SDK.
  const thread = new (workerThreads().Worker)(new URL('src/worker/watchdog-thread.js', DIST), { workerData: data, stdout: false, stderr: false, execArgv: [] });
  // The thread must never keep the worker alive, nor take it down.
  thread.unref();
  thread.on('error', (e) => log.warn({ err: e.message }, 'the watchdog thread failed: a hang will be logged without its stack'));
  return { beat };
}
