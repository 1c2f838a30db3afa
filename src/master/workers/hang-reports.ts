/**
 * What the master knows of a hung worker when it aborts it (--timeout): the stack its watchdog
 * thread sent (WORKER_FD.watchdog, taken halfway to the timeout) and the kernel's view of its
 * threads, read just before the SIGABRT. One log record per hang; the last one is kept for the
 * control socket and the inspector, and the hangs are counted for the metrics. A watchdog line
 * that is not ours is dropped (the worker is not trusted), and the fd closed.
 *
 * The channel is bounded as a worker's stack can be: one line of at most WATCHDOG_MAX_LINE bytes,
 * and one message per stall (a watchdog sends once the heartbeat has stood still for `stallMs`,
 * so never two within `stallMs`). After a message the fd is not read again for `stallMs`: a
 * worker writing stacks in a loop waits on its own full pipe, and costs the master nothing.
 */
import type { Socket } from 'node:net';
import { parseWatchdogMessage, WATCHDOG_MAX_LINE, type HangRecord, type WatchdogMessage } from '../../../machines/watchdog-protocol.js';
import { splitLines } from '../../adapters/lines.js';
import { threadsOf } from '../../adapters/proc-threads.js';
import { escapeControls } from '../../../machines/untrusted-text.js';
import type { Logger } from '../../log.js';
import { hasAddon, WATCHDOG } from '../../native/addons.js';

export type { HangRecord };

/** Once at start: which watchdog the workers run (src/worker/watchdog.ts), and what the other would cost. */
export function logWatchdogKind(enabled: boolean, log: Logger): void {
  if (!enabled) return;
  if (hasAddon(WATCHDOG)) return void log.info({ watchdog: 'native' }, 'hang stacks: each worker runs the native watchdog (no second isolate)');
  log.info(
    { watchdog: 'thread' },
    `hang stacks: no native watchdog for this Node (ABI ${process.versions.modules}): each worker runs a watchdog thread, about 12 MiB more; --no-hang-stacks saves it`,
  );
}

const frameText = (f: WatchdogMessage['frames'][number]) => `${f.fn} ${f.url || '(native)'}:${f.line}:${f.column}`;
/** A thread's name is the app's to set (process.title, a native thread's name): shown escaped. */
const shownThreads = (pid: number) => threadsOf(pid).map((t) => ({ ...t, name: escapeControls(t.name) }));

export class HangReports {
  private readonly stacks = new Map<number, WatchdogMessage>();
  last: HangRecord | null = null;
  /** Hangs reported, and watchdog messages dropped (more than one per stall, or not ours). */
  readonly counts = { withStack: 0, withoutStack: 0, dropped: 0 };

  constructor(private readonly log: Logger) {}

  /** Reads a worker's watchdog line; the latest stack it sent is kept until the worker is gone. */
  listen(id: number, socket: Socket, stallMs: number): void {
    let taken = false;
    const refuse = () => {
      this.counts.dropped++;
      socket.destroy();
    };
    const lines = splitLines(
      WATCHDOG_MAX_LINE,
      (line) => {
        // One message per stall: what else came with it is not a stack the worker could have taken.
        if (taken) return void this.counts.dropped++;
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          return refuse();
        }
        const message = parseWatchdogMessage(raw);
        if (!message) return refuse();
        taken = true;
        this.stacks.set(id, message);
      },
      refuse,
    );
    socket.on('data', (chunk: Buffer) => {
      lines.push(chunk);
      if (!taken || socket.destroyed) return;
      socket.pause();
      setTimeout(() => {
        taken = false;
        if (!socket.destroyed) socket.resume();
      }, stallMs).unref();
    });
    socket.on('error', () => {});
  }

  /** The worker is about to be aborted for silence: one record with all that is known. */
  report(id: number, workerPid: number): void {
    const sent = this.stacks.get(id);
    const threads = shownThreads(workerPid);
    const record: HangRecord = {
      id,
      workerPid,
      at: Date.now(),
      stack: sent?.frames.map(frameText) ?? [],
      stalledMs: sent?.stalledMs ?? null,
      captureMs: sent?.captureMs ?? null,
      note: sent ? (sent.note ?? null) : 'no stack from the watchdog thread (--no-hang-stacks, or it had not reported yet)',
      threads,
    };
    this.last = record;
    if (record.stack.length) this.counts.withStack++;
    else this.counts.withoutStack++;
    const main = threads.find((t) => t.tid === workerPid);
    const where = record.stack.length
      ? `in ${record.stack[0]}`
      : `${main?.syscall && main.syscall !== 'running' ? `blocked in the system call ${main.syscall}` : 'no JavaScript frame'} (${record.note})`;
    this.log.error({ event: 'hung', ...record }, `worker ${id} hung: ${where}`);
  }

  forget(id: number): void {
    this.stacks.delete(id);
  }
}
