/**
 * Text a worker controls, as an operator sees it: every control character a terminal acts on is
 * written out as a visible escape, in the wire messages the master takes (a failure reason, a
 * hang stack) and in JSON that leaves some of them as they are.
 */
import { describe, expect, it } from 'vitest';
import { escapeControls, escapeJsonControls } from '../../machines/untrusted-text.js';
import { parseWorkerMessage, workerMessage } from '../../machines/protocol.js';
import { parseWatchdogMessage, watchdogMessage } from '../../machines/watchdog-protocol.js';

const EVIL = '\u001b]0;owned\u0007\u001b[2J\nfake\r\t\u0000\u007f\u0085\u009b\u061c\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069';
const SHOWN =
  '\\x1b]0;owned\\x07\\x1b[2J\\x0afake\\x0d\\x09\\x00\\x7f\\x85\\x9b\\u{61c}\\u{200e}\\u{200f}\\u{2028}\\u{2029}\\u{202a}\\u{202e}\\u{2066}\\u{2069}';

describe('escapeControls', () => {
  it('writes C0, DEL, C1, the bidi controls and the separators out as escapes, and nothing else', () => {
    expect(escapeControls(EVIL)).toBe(SHOWN);
    // The neighbours of each range, and ordinary text in any script, are left as they are.
    const kept = ' ~\u00a0\u00e9\u061b\u061d\u200d\u2010\u2027\u202f\u2065\u206a日本語 emoji 😀 \\x1b';
    expect(escapeControls(kept)).toBe(kept);
    expect(escapeControls(escapeControls(EVIL))).toBe(SHOWN);
  });

  it('in JSON: what JSON.stringify leaves (DEL, C1, bidi, separators) as \\uXXXX, the same value', () => {
    const json = JSON.stringify({ msg: EVIL, kept: 'é 😀' });
    const safe = escapeJsonControls(json);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
    expect(JSON.parse(safe)).toEqual(JSON.parse(json));
    expect(escapeJsonControls('{"a":"\u0085"}')).toBe('{"a":"\\u0085"}');
    expect(escapeJsonControls('{"a":"\u202e"}')).toBe('{"a":"\\u202e"}');
  });
});

describe('the wire messages a worker sends are escaped as the master takes them', () => {
  it('a failure reason', () => {
    expect(workerMessage.failed(EVIL)).toEqual({ statefork: 1, kind: 'failed', reason: SHOWN });
    expect(parseWorkerMessage({ statefork: 1, kind: 'failed', reason: EVIL })).toEqual({ statefork: 1, kind: 'failed', reason: SHOWN });
    // Cut after the escaping: a reason is never longer than its bound.
    expect((workerMessage.failed('\u0007'.repeat(2000)) as { reason: string }).reason).toBe('\\x07'.repeat(500));
  });

  it("a hang stack's function names, script URLs and note", () => {
    const frame = { fn: EVIL, url: `file:///srv/${EVIL}.mjs`, line: 1, column: 2 };
    const parsed = parseWatchdogMessage({ statefork: 1, kind: 'stack', stalledMs: 1, captureMs: 1, frames: [frame], note: EVIL });
    expect(parsed).toEqual({
      statefork: 1,
      kind: 'stack',
      stalledMs: 1,
      captureMs: 1,
      frames: [{ fn: SHOWN, url: `file:///srv/${SHOWN}.mjs`, line: 1, column: 2 }],
      note: SHOWN,
    });
    expect(watchdogMessage.stack(1, 1, [{ ...frame, fn: '\u0007'.repeat(2000) }]).frames[0].fn).toBe('\\x07'.repeat(500));
  });
});

describe('a stack message always fits the line the master reads', () => {
  it('the outermost frames are dropped until it is under WATCHDOG_MAX_LINE bytes; one that fits is left whole', async () => {
    const { encodeWatchdogMessage, WATCHDOG_MAX_LINE, MAX_FRAMES } = await import('../../machines/watchdog-protocol.js');
    const bytes = (s: string) => new TextEncoder().encode(s).length;
    // 2000 characters of 3 bytes each, twice a frame: 12 KB a frame, 32 frames far over 64 KiB.
    const wide = Array.from({ length: MAX_FRAMES }, (_, i) => ({ fn: `${i}`.padEnd(2000, '語'), url: 'u'.padEnd(2000, '語'), line: i, column: 1 }));
    const line = encodeWatchdogMessage(watchdogMessage.stack(1, 1, wide));
    const sent = JSON.parse(line);
    expect(bytes(line)).toBeLessThan(WATCHDOG_MAX_LINE);
    expect(bytes(line)).toBeGreaterThan(WATCHDOG_MAX_LINE - 13_000); // no more dropped than needed
    expect(sent.frames.map((f: { line: number }) => f.line)).toEqual([0, 1, 2, 3, 4]);
    const small = watchdogMessage.stack(1, 1, [{ fn: 'f', url: 'u', line: 1, column: 1 }]);
    expect(encodeWatchdogMessage(small)).toBe(JSON.stringify(small));
  });
});

describe('the bound is the line with its newline', () => {
  it('a message of exactly WATCHDOG_MAX_LINE bytes loses a frame (with the newline it would be one byte over); one byte less is kept', async () => {
    const { encodeWatchdogMessage, WATCHDOG_MAX_LINE } = await import('../../machines/watchdog-protocol.js');
    const frame = (fn: string, url = 'u'.repeat(2000)) => ({ fn, url, line: 1, column: 1 });
    // Sixteen full frames, and a seventeenth whose name makes the line `total` bytes long.
    const sized = (total: number) => {
      const frames = Array.from({ length: 16 }, () => frame('f'.repeat(2000)));
      const base = JSON.stringify(watchdogMessage.stack(1, 1, [...frames, frame('', '')])).length;
      return watchdogMessage.stack(1, 1, [...frames, frame('f'.repeat(total - base), '')]);
    };
    expect(JSON.stringify(sized(WATCHDOG_MAX_LINE)).length).toBe(WATCHDOG_MAX_LINE);
    expect(JSON.parse(encodeWatchdogMessage(sized(WATCHDOG_MAX_LINE))).frames).toHaveLength(16);
    expect(JSON.parse(encodeWatchdogMessage(sized(WATCHDOG_MAX_LINE - 1))).frames).toHaveLength(17);
  });
});
