/**
 * Waiting for an app to call listen() after its module has loaded (NestJS, Fastify and Next.js
 * listen once their start-up has awaited something), without waiting for an app that never
 * will. An app can only still call listen() if something of its own is pending: a timer, a
 * socket, a file read, a child. Node lists what keeps the loop alive
 * (`process.getActiveResourcesInfo()`); when nothing is listed beyond what was there before the
 * app loaded (the worker's own timers and pipes), nothing the app started can run again, and
 * the boot fails at once with what the module exported, instead of at --boot-timeout.
 */
import { EXIT } from '../../machines/exit-codes.js';
import type { Logger } from '../record-log.js';
import { BootError } from './app.js';
import type { CapturedListen } from './listen-capture.js';

const POLL_MS = 100;
/** Nothing pending seen on this many polls in a row: a resource between two of them is not missed. */
const QUIET_POLLS = 2;
/** A start-up this long gets one line in the log: the worker is waiting, not stuck. */
const SAY_AFTER_MS = 5000;

function counts(resources: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of resources) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Whether anything runs now that did not before the app loaded: more of some kind of resource. */
export function appHasPending(baseline: string[], now: string[]): boolean {
  const before = counts(baseline);
  for (const [kind, n] of counts(now)) if (n > (before.get(kind) ?? 0)) return true;
  return false;
}

/** When to stop waiting: `byMs` after the worker process started (performance.now()), and why. */
export interface ListenDeadline {
  byMs: number;
  /** Names the limit in the error, e.g. "--boot-timeout 60 s". */
  limit: string;
}

/**
 * `nothing(why)` is the one-line reason a boot fails with: what the module exported, the forms,
 * and why no listen can come (it started nothing, or the deadline passed).
 */
export function untilListen(
  next: Promise<CapturedListen>,
  baseline: string[],
  deadline: ListenDeadline | null,
  nothing: (why: string) => string,
  log: Logger,
): Promise<CapturedListen> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let quiet = 0;
    let said = false;
    const ours = [...baseline, 'Timeout']; // the poll itself
    const poll = setInterval(() => {
      const waited = Date.now() - started;
      quiet = appHasPending(ours, process.getActiveResourcesInfo()) ? 0 : quiet + 1;
      if (quiet >= QUIET_POLLS) return done(new BootError(EXIT.APP_LOAD_ERROR, nothing('it started none')));
      if (deadline && performance.now() > deadline.byMs) return done(new BootError(EXIT.APP_LOAD_ERROR, nothing(`it called none within ${deadline.limit}`)));
      if (!said && waited > SAY_AFTER_MS) {
        said = true;
        log.info({ waitedMs: waited }, 'the app has not called listen() yet: waiting for it');
      }
    }, POLL_MS);
    const done = (error: Error | null, captured?: CapturedListen) => {
      clearInterval(poll);
      if (error) reject(error);
      else resolve(captured!);
    };
    next.then(
      (c) => done(null, c),
      (e: unknown) => done(e as Error),
    );
  });
}
