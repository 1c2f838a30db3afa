/**
 * Newline-delimited lines from a byte stream, with a bound: what a peer sends is kept only up to
 * `maxBytes` per line, so a line that never ends cannot grow the reader's memory. It reports;
 * what an overlong line means is the caller's business.
 */
export interface LineSplitter {
  /** Feeds a chunk; calls `onLine` for each complete line (without its newline), in order. */
  push(chunk: Buffer): void;
  /** Bytes held for the line not yet ended. */
  readonly pending: number;
}

/**
 * `onOverflow(bytes)` is called once a line passes `maxBytes` without a newline; the bytes held
 * are dropped, and so is the rest of that line, up to its newline.
 */
export function splitLines(maxBytes: number, onLine: (line: string) => void, onOverflow: (bytes: number) => void): LineSplitter {
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  return {
    get pending() {
      return held;
    },
    push(chunk: Buffer) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (skipping) {
          skipping = false;
          continue;
        }
        if (held + piece.length > maxBytes) {
          onOverflow(held + piece.length);
          parts = [];
          held = 0;
          continue;
        }
        const line = held ? Buffer.concat([...parts, piece]).toString('utf8') : piece.toString('utf8');
        parts = [];
        held = 0;
        onLine(line);
      }
      const rest = chunk.subarray(start);
      if (!rest.length || skipping) return;
      if (held + rest.length > maxBytes) {
        onOverflow(held + rest.length);
        parts = [];
        held = 0;
        skipping = true;
        return;
      }
      parts.push(rest);
      held += rest.length;
    },
  };
}
