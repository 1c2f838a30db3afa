/**
 * --reuse-port: every worker binds each TCP address itself with SO_REUSEPORT, and the kernel
 * spreads new connections over the workers' sockets. Node can ask for it from 22.12 on; before
 * that the option would be silently ignored, so it is refused instead. Unix and fd:// binds are
 * still the master's.
 */
import type { BindSpec } from './bind.js';
import { usage } from './checks.js';
import type { Field } from './options.js';

const SINCE = [22, 12];

export function nodeHasReusePort(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > SINCE[0] || (major === SINCE[0] && minor >= SINCE[1]);
}

/** `wanted`: the option, already checked to be a boolean (checkFlag). */
export function checkReusePort(wanted: boolean, binds: BindSpec[], field: Field, version = process.versions.node): boolean {
  if (!wanted) return false;
  return field('reusePort', () => {
    if (!nodeHasReusePort(version)) usage(`--reuse-port needs Node 22.12 or newer (this is ${version}): older versions ignore it silently; upgrade Node or drop --reuse-port`);
    const zero = binds.find((b) => b.kind === 'tcp' && b.port === 0);
    if (zero) usage(`--reuse-port needs a fixed port (got ${zero.text}): each worker binds it on its own, so port 0 would give each a different one`);
    if (!binds.some((b) => b.kind === 'tcp')) usage('--reuse-port needs a HOST:PORT bind: unix sockets and fd:// cannot be shared that way');
    return true;
  });
}
