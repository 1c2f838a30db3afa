/**
 * The watchdog thread (--hang-stacks). It watches the main thread's heartbeat counter; once the
 * counter has stood still for `stallMs`, it attaches the inspector to the main thread, pauses it
 * through V8's interrupt, reads the call frames, resumes it, and writes one line to the master on
 * its own fd (WORKER_FD.watchdog). A main thread blocked inside a system call (execSync, a
 * blocking read) takes no interrupt: then the line says so, and the master adds the kernel's view.
 * Writes go straight to the fd: console.* would go through the stuck main thread.
 */
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import { encodeWatchdogMessage, MAX_FRAMES, watchdogMessage, type StackFrame } from '../../machines/watchdog-protocol.js';
import { blockedNote, pauseWaitMs, type WatchdogData } from './watchdog.js';

const { fd, stallMs, beats } = workerData as WatchdogData;
const counter = new Int32Array(beats);
/** How often the counter is looked at, and how long a pause may take to arrive (the stack must reach the master before its --timeout). */
const LOOK_EVERY_MS = 100;
const PAUSE_WAIT_MS = pauseWaitMs(stallMs);

interface CallFrame {
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

function send(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/** The main thread's frames, or null when no pause arrived in PAUSE_WAIT_MS. */
function takeStack(): Promise<StackFrame[] | null> {
  return new Promise((resolve) => {
    const session = new Session();
    const urls = new Map<string, string>();
    let done = false;
    const finish = (frames: StackFrame[] | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        // Paused: let it go on (the master decides its fate). Not paused (blocked outside
        // JavaScript): detach now, so the pause asked for is never taken when it wakes up.
        if (frames) session.post('Debugger.resume', () => session.post('Debugger.disable', () => session.disconnect()));
        else session.disconnect();
      } catch {
        // the session is gone already
      }
      resolve(frames);
    };
    const timer = setTimeout(() => finish(null), PAUSE_WAIT_MS);
    try {
      session.connectToMainThread();
    } catch {
      return finish(null);
    }
    session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => void urls.set(m.params.scriptId, m.params.url));
    session.on('Debugger.paused', (m: { params: { callFrames: CallFrame[] } }) => {
      finish(
        m.params.callFrames.slice(0, MAX_FRAMES).map((f) => ({
          fn: f.functionName || '(anonymous)',
          url: urls.get(f.location.scriptId) ?? '',
          line: f.location.lineNumber + 1,
          column: f.location.columnNumber + 1,
        })),
      );
    });
    session.post('Debugger.enable', () => {
      if (!done) session.post('Debugger.pause');
    });
  });
}

let last = Atomics.load(counter, 0);
let stillSince = performance.now();
let reported = false;
// A ref'd timer: it keeps this thread alive (the worker's exit ends it).
setInterval(() => {
  const now = Atomics.load(counter, 0);
  if (now !== last) {
    last = now;
    stillSince = performance.now();
    reported = false;
    return;
  }
  const stalledMs = Math.round(performance.now() - stillSince);
  if (reported || stalledMs < stallMs) return;
  reported = true;
  const t0 = performance.now();
  void takeStack().then((frames) => {
    const captureMs = Math.round(performance.now() - t0);
    send(
      encodeWatchdogMessage(
        frames ? watchdogMessage.stack(stalledMs, captureMs, frames) : watchdogMessage.stack(stalledMs, captureMs, [], blockedNote(PAUSE_WAIT_MS)),
      ),
    );
  });
}, LOOK_EVERY_MS);
