/**
 * The inspector page's controls (--inspector-controls, off by default): scale, reload, reopen,
 * stop and kill a worker, as POST /control, through the control socket's own command handler.
 * A web page on the same machine must not be able to press them, so each request needs:
 *  - the per-run token the master logged (compared in constant time);
 *  - no Origin, or the inspector's own (a page elsewhere is refused; no CORS header is ever sent);
 *  - a JSON body (a cross-site form cannot send one without a preflight the server never grants);
 * and the Host check every inspector request passes first (../local-http.ts: DNS rebinding).
 */
import { crypto } from '../node-builtins.js';
import type http from 'node:http';

/** The commands the page may send: the state-changing ones (status and workers are its other routes). */
export const PAGE_COMMANDS = ['scale', 'reload', 'reopen', 'stop', 'kill'] as const;
export type PageCommand = (typeof PAGE_COMMANDS)[number];

/** The bytes a control request may carry: a command and its few arguments. */
export const MAX_BODY = 4 * 1024;

export type ControlOutcome = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

export interface PageControls {
  token: string;
  run(command: PageCommand, args: Record<string, unknown>): ControlOutcome;
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && crypto().timingSafeEqual(a, b);
}

const answer = (res: http.ServerResponse, status: number, body: ControlOutcome) =>
  void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
const refuse = (res: http.ServerResponse, status: number, code: string, message: string) => answer(res, status, { ok: false, error: { code, message } });

/** Why a request may not change anything, or null when it may (its body still to be read). */
function problem(req: http.IncomingMessage, controls: PageControls | null): [number, string, string] | null {
  if (!controls) return [404, 'controls-off', "the page's controls are off: start the master with --inspector-controls"];
  if (req.method !== 'POST') return [405, 'method', 'POST a JSON body {"command": ..., "args": {...}}'];
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`)
    return [403, 'origin', `requests from ${JSON.stringify(origin)} are refused: only the inspector's own page may send them`];
  if (!tokenMatches(req.headers['x-statefork-token'], controls.token))
    return [403, 'token', 'missing or wrong X-Statefork-Token: the token is in the master\'s log ("inspector controls")'];
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return [415, 'content-type', 'send the body as application/json'];
  return null;
}

export function handleControl(req: http.IncomingMessage, res: http.ServerResponse, controls: PageControls | null): void {
  const bad = problem(req, controls);
  if (bad) {
    req.resume();
    return refuse(res, ...bad);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY) return void chunks.push(chunk);
    if (res.headersSent) return;
    // Said first, then the connection closed: the rest of the body is never read.
    res.setHeader('connection', 'close');
    res.on('finish', () => req.destroy());
    refuse(res, 413, 'too-long', `a control request is at most ${MAX_BODY} bytes`);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    let body: { command?: unknown; args?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return refuse(res, 400, 'bad-json', 'the body is not JSON: send {"command": "scale", "args": {"workers": "+1"}}');
    }
    const command = body?.command;
    if (typeof command !== 'string' || !(PAGE_COMMANDS as readonly string[]).includes(command)) {
      return refuse(res, 400, 'unknown-command', `command must be one of ${PAGE_COMMANDS.join(', ')}`);
    }
    const args = body.args === undefined ? {} : body.args;
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return refuse(res, 400, 'bad-args', 'args must be an object');
    const outcome = controls!.run(command as PageCommand, args as Record<string, unknown>);
    answer(res, outcome.ok ? 200 : 400, outcome);
  });
  req.on('error', () => {});
}
