/**
 * The main thread's side of the watchdog (--hang-stacks): starts the thread and gives it a shared
 * counter that the heartbeat bumps. The thread (./watchdog-thread.ts) does the rest on its own
 * event loop, so it works while this one is stuck. Nothing runs per request: one Atomics.add per
 * heartbeat.
 */
import { Worker } from 'node:worker_threads';
import { WORKER_FD } from '../../machines/protocol.js';
import type { Logger } from '../log.js';

export interface WatchdogData {
  fd: number;
  stallMs: number;
  beats: SharedArrayBuffer;
}

export function startWatchdog(stallMs: number, log: Logger): { beat(): void } {
  const beats = new SharedArrayBuffer(4);
  const counter = new Int32Array(beats);
  const data: WatchdogData = { fd: WORKER_FD.watchdog, stallMs, beats };
  // No execArgv: the app's preloads (--import, --require: an APM agent, OpenTelemetry) are for
  // the main thread; a thread inherits them otherwise, and would start a second SDK.
  const thread = new Worker(new URL('./watchdog-thread.js', import.meta.url), { workerData: data, stdout: false, stderr: false, execArgv: [] });
  // The thread must never keep the worker alive, nor take it down.
  thread.unref();
  thread.on('error', (e) => log.warn({ err: e.message }, 'the watchdog thread failed: a hang will be logged without its stack'));
  return { beat: () => void Atomics.add(counter, 0, 1) };
}
