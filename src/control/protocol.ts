/**
 * The control socket's protocol (version 1): newline-delimited JSON over a unix socket. A client
 * sends one request per line and gets one response line per request, in order:
 *
 *   → {"v":1,"id":7,"command":"scale","args":{"workers":"+2"}}
 *   ← {"v":1,"id":7,"ok":true,"data":{"target":4}}
 *   ← {"v":1,"id":8,"ok":false,"error":{"code":"bad-args","message":"..."}}
 *
 * A line over MAX_LINE bytes, or a client that sends nothing for IDLE_MS, gets an error and is
 * disconnected. `id` is echoed back: a string of at most MAX_ID characters, a finite number, or
 * null (also when absent); anything else is a bad request, answered with id null.
 */
export const CONTROL_VERSION = 1;
export const MAX_LINE = 64 * 1024;
export const IDLE_MS = 5_000;
export const MAX_ID = 256;

export const COMMANDS = ['status', 'workers', 'scale', 'reload', 'reopen', 'stop', 'kill', 'dashboard-url'] as const;
export type Command = (typeof COMMANDS)[number];

export type ErrorCode = 'bad-json' | 'bad-request' | 'unknown-command' | 'bad-args' | 'too-long' | 'idle' | 'refused';

export type Id = string | number | null;

export interface Request {
  v: 1;
  id: Id;
  command: Command;
  args: Record<string, unknown>;
}

export type Response = { v: 1; id: Id; ok: true; data: unknown } | { v: 1; id: Id; ok: false; error: { code: ErrorCode; message: string } };

export const ok = (id: Id, data: unknown): Response => ({ v: CONTROL_VERSION, id, ok: true, data });
export const fail = (id: Id, code: ErrorCode, message: string): Response => ({ v: CONTROL_VERSION, id, ok: false, error: { code, message } });

const isId = (id: unknown): id is Id => id === null || (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID);

/** A client's value in a message: short, and never a structure that could be nested without end. */
export const shown = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v.slice(0, 64)) : typeof v === 'number' || typeof v === 'boolean' || v == null ? String(v) : typeof v;

/** A request from one line, or the error response to send back instead. */
export function parseRequest(line: string): Request | Response {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return fail(null, 'bad-json', 'the line is not JSON; send one JSON object per line');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(null, 'bad-request', 'expected a JSON object: {"v":1,"command":"status"}');
  const r = raw as Record<string, unknown>;
  // Checked before anything echoes it: an id is only ever a short string, a number or null.
  if (!isId(r.id ?? null)) return fail(null, 'bad-request', `"id" must be a string of at most ${MAX_ID} characters, a number or null`);
  const id = (r.id ?? null) as Id;
  if (r.v !== CONTROL_VERSION) return fail(id, 'bad-request', `unsupported protocol version ${shown(r.v)}: this master speaks "v":${CONTROL_VERSION}`);
  if (!COMMANDS.includes(r.command as Command))
    return fail(id, 'unknown-command', `unknown command ${shown(r.command)}: expected one of ${COMMANDS.join(', ')}`);
  if (r.args !== undefined && (typeof r.args !== 'object' || r.args === null || Array.isArray(r.args))) return fail(id, 'bad-args', '"args" must be an object');
  return { v: CONTROL_VERSION, id, command: r.command as Command, args: (r.args as Record<string, unknown>) ?? {} };
}

export const isResponse = (x: Request | Response): x is Response => 'ok' in x;
