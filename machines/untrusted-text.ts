/**
 * Text a worker controls (a failure reason, a hang stack's function names, a thread's name), made
 * safe to show to an operator. A terminal acts on control characters: an escape sequence can
 * clear the screen, set the window title or recolour what follows, a newline can forge a line,
 * and the bidirectional controls can reorder what a reader sees. Each is written out as a visible
 * escape instead (`\x1b`, `\u{202e}`), so the text stays readable and can no longer act.
 */

/** C0, DEL and C1 controls; the Arabic letter mark; the bidirectional marks, embeddings, overrides and isolates; the line and paragraph separators. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** The same class as source text, for the inspector page's script (it cannot import). */
export const CONTROLS_SOURCE = CONTROLS.source;

const escaped = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/** `text` with every control character written out as an escape. */
export const escapeControls = (text: string): string => text.replace(CONTROLS, escaped);

/** What JSON.stringify leaves as it is: DEL, C1, the bidi controls and separators. */
const JSON_LEAVES = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * A JSON text with those written as `\uXXXX` too: the same JSON value, and nothing in it that a
 * terminal acts on (outside strings a JSON text is ASCII, so this only ever touches strings).
 */
export const escapeJsonControls = (json: string): string => json.replace(JSON_LEAVES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
