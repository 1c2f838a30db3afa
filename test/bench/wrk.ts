/**
 * Load from a separate process: wrk (Debian's package), parsed into numbers. wrk keeps its
 * connections alive unless told to send "Connection: close", then it opens one per request.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers. */
  errors: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  non2xx: number;
}

export interface WrkOptions {
  connections: number;
  /** A new connection per request instead of keep-alive. */
  close?: boolean;
  threads?: number;
  /** A wrk Lua script (e.g. one that waits between requests). */
  script?: string;
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    throw new Error('wrk is not installed: install it (apt-get install wrk) and run npm run bench again');
  }
}

function args(url: string, opts: WrkOptions, seconds: number): string[] {
  const a = ['-t', String(opts.threads ?? 1), '-c', String(opts.connections), '-d', `${seconds}s`, '--latency', '--timeout', '5s'];
  if (opts.close) a.push('-H', 'Connection: close');
  if (opts.script) a.push('-s', opts.script);
  return [...a, url];
}

/** Starts wrk for up to `maxSeconds`; `stop()` ends it early (SIGINT) and returns its numbers. */
export function startWrk(url: string, opts: WrkOptions, maxSeconds = 600): { stop(): Promise<WrkResult>; done: Promise<WrkResult> } {
  const child = spawn('wrk', args(url, opts, maxSeconds), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<WrkResult>((resolve, reject) => {
    child.once('exit', () => {
      try {
        resolve(parseWrk(out));
      } catch (e) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever parseWrk threw
        reject(e);
      }
    });
  });
  return { done, stop: () => (child.kill('SIGINT'), done) };
}

export function runWrk(url: string, opts: WrkOptions, seconds: number): Promise<WrkResult> {
  return startWrk(url, opts, seconds).done;
}

function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * unit;
}

export function parseWrk(out: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (!total) throw new Error(`wrk printed no result:\n${out}`);
  const seconds = ms(`${total[2]}${total[3]}`) / 1000;
  const requests = Number(total[1]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const [connectErrors, readErrors, writeErrors, timeouts] = socket ? socket.slice(1).map(Number) : [0, 0, 0, 0];
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50Ms: ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99Ms: ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: connectErrors + readErrors + writeErrors + timeouts + non2xx,
    connectErrors,
    readErrors,
    writeErrors,
    timeouts,
    non2xx,
  };
}
