/**
 * The wire contract of a worker's watchdog thread (--hang-stacks): the one message it sends on
 * WORKER_FD.watchdog (machines/protocol.ts) when the main thread's heartbeat stood still, and what
 * the master makes of it for its log record and views (HangRecord, with the kernel's ThreadView).
 * Pure data and checks, like the rest of the protocol.
 */
import { isCount, MAX_REASON, PROTOCOL_VERSION } from './protocol.js';
import { escapeControls } from './untrusted-text.js';

/** One JavaScript frame: the function, its script's URL, 1-based line and column. */
export interface StackFrame {
  fn: string;
  url: string;
  line: number;
  column: number;
}

/** The most frames a stack message carries, and the longest line the master reads on the watchdog's fd. */
export const MAX_FRAMES = 32;
export const WATCHDOG_MAX_LINE = 64 * 1024;

/**
 * From a worker's watchdog thread, on WORKER_FD.watchdog: the main thread's heartbeat has not
 * moved for `stalledMs`, and this is where its JavaScript was (`frames`, innermost first), or
 * `note` says why no frame could be taken (blocked outside JavaScript: in a system call).
 */
export type WatchdogMessage = { statefork: 1; kind: 'stack'; stalledMs: number; captureMs: number; frames: StackFrame[]; note?: string };

/** A worker names its functions and scripts: shown escaped (machines/untrusted-text.ts), and never longer than a reason. */
const shownText = (text: string) => escapeControls(text).slice(0, MAX_REASON);
const shownFrame = (f: StackFrame): StackFrame => ({ fn: shownText(f.fn), url: shownText(f.url), line: f.line, column: f.column });

export const watchdogMessage = {
  /** `captureMs`: how long taking the stack took (the main thread was paused for about that long). */
  stack: (stalledMs: number, captureMs: number, frames: StackFrame[], note?: string): WatchdogMessage => ({
    statefork: PROTOCOL_VERSION,
    kind: 'stack',
    stalledMs,
    captureMs,
    frames: frames.slice(0, MAX_FRAMES).map(shownFrame),
    ...(note ? { note: shownText(note) } : {}),
  }),
};

const utf8 = new TextEncoder();

/**
 * The message as its one line on the fd (without the newline), never more than WATCHDOG_MAX_LINE
 * bytes with it: the innermost frames are kept, the outermost dropped until it fits. The master
 * reads no more than that, so a stack always arrives whole.
 */
export function encodeWatchdogMessage(message: WatchdogMessage): string {
  let frames = message.frames;
  let line = JSON.stringify(message);
  while (utf8.encode(line).length >= WATCHDOG_MAX_LINE && frames.length > 0) {
    frames = frames.slice(0, -1);
    line = JSON.stringify({ ...message, frames });
  }
  return line;
}

const isFrame = (f: unknown): f is StackFrame => {
  const x = f as StackFrame;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.fn === 'string' &&
    typeof x.url === 'string' &&
    x.fn.length <= MAX_REASON &&
    x.url.length <= MAX_REASON &&
    isCount(x.line) &&
    isCount(x.column)
  );
};

/** A thread of a process as the kernel sees it (/proc/<pid>/task/<tid>): for a hung worker's record. */
export interface ThreadView {
  tid: number;
  name: string;
  /** R running, S sleeping, D uninterruptible wait, ... */
  state: string;
  /** The kernel function it waits in ('0' when running). */
  wchan: string;
  /** The system call's name (or number), 'running' in user space, null when unreadable. */
  syscall: string | null;
}

/** What the master reports of a hung worker: its log record, the control socket's and the inspector's. */
export interface HangRecord {
  id: number;
  workerPid: number;
  /** Wall clock, ms. */
  at: number;
  /** Innermost first: "function url:line:column". Empty when no JavaScript frame could be taken. */
  stack: string[];
  stalledMs: number | null;
  /** How long the watchdog took to take the stack, ms (null without one). */
  captureMs: number | null;
  note: string | null;
  threads: ThreadView[];
}

export function parseWatchdogMessage(raw: unknown): WatchdogMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.statefork !== PROTOCOL_VERSION || m.kind !== 'stack' || !isCount(m.stalledMs) || !isCount(m.captureMs)) return null;
  if (!Array.isArray(m.frames) || m.frames.length > MAX_FRAMES || !m.frames.every(isFrame)) return null;
  if (m.note !== undefined && typeof m.note !== 'string') return null;
  return watchdogMessage.stack(
    m.stalledMs,
    m.captureMs,
    m.frames.map((f: StackFrame) => ({ fn: f.fn, url: f.url, line: f.line, column: f.column })),
    m.note,
  );
}
