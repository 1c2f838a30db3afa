/**
 * Parsing of --bind values. Four forms, as in gunicorn: HOST:PORT, [V6]:PORT, unix:PATH, fd://N;
 * each may start with `proxy:` (`proxy:0.0.0.0:8000`): every connection on that bind begins with
 * a PROXY protocol header (v1 or v2) from a load balancer, which names the client.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { StateforkError } from '../errors.js';

/** `proxy`: connections on it start with a PROXY protocol header (the `proxy:` prefix). */
export type BindSpec =
  | { kind: 'tcp'; host: string; port: number; text: string; proxy: boolean }
  | { kind: 'unix'; path: string; text: string; proxy: boolean }
  | { kind: 'fd'; fd: number; text: string; proxy: boolean };

const FORMS = 'expected HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N, each optionally after proxy: (e.g. --bind 127.0.0.1:8000)';
const PROXY_PREFIX = 'proxy:';

function bad(text: string, why: string): never {
  throw new StateforkError('SF_BAD_BIND', `invalid --bind '${text}': ${why}; ${FORMS}`);
}

function parsePort(text: string, raw: string): number {
  if (!/^\d+$/.test(raw)) bad(text, `port '${raw}' is not a number`);
  const port = Number(raw);
  if (port > 65535) bad(text, `port ${port} is above 65535`);
  return port;
}

export function parseBind(text: string): BindSpec {
  const whole = text.trim();
  const proxy = whole.startsWith(PROXY_PREFIX);
  if (proxy && !whole.slice(PROXY_PREFIX.length)) bad(text, 'no address after proxy:');
  return { ...parseAddress(text, proxy ? whole.slice(PROXY_PREFIX.length) : whole), text: whole, proxy };
}

type Address = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string } | { kind: 'fd'; fd: number };

function parseAddress(text: string, t: string): Address {
  if (t.startsWith('unix:')) {
    const path = t.slice('unix:'.length);
    if (!path) bad(text, 'the socket path is empty');
    return { kind: 'unix', path: resolve(path) };
  }
  if (t.startsWith('fd://')) {
    const raw = t.slice('fd://'.length);
    if (!/^\d+$/.test(raw) || Number(raw) < 3) bad(text, 'the fd must be a whole number of 3 or more');
    return { kind: 'fd', fd: Number(raw) };
  }
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(t);
  if (v6) {
    if (isIP(v6[1]) !== 6) bad(text, `'${v6[1]}' is not an IPv6 address`);
    return { kind: 'tcp', host: v6[1], port: parsePort(text, v6[2]) };
  }
  const colon = t.lastIndexOf(':');
  if (colon <= 0) bad(text, 'no port given');
  const host = t.slice(0, colon);
  if (host.includes(':')) bad(text, 'an IPv6 address must be in brackets');
  if (!/^[A-Za-z0-9.-]+$/.test(host)) bad(text, `'${host}' is not a host name or address`);
  return { kind: 'tcp', host, port: parsePort(text, t.slice(colon + 1)) };
}

/** The default bind: 0.0.0.0:$PORT when PORT is set (Heroku, Cloud Run), otherwise loopback. */
export function defaultBind(env: NodeJS.ProcessEnv): string {
  return env.PORT ? `0.0.0.0:${env.PORT}` : '127.0.0.1:8000';
}
