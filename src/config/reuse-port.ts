/**
 * --reuse-port: every worker binds each TCP address itself with SO_REUSEPORT, and the kernel
 * spreads new connections over the workers' sockets (Node's listen() has it from 22.12, the
 * oldest Node statefork runs on). Unix and fd:// binds are still the master's.
 */
import type { BindSpec } from './bind.js';
import { usage } from './checks.js';
import type { Field } from './given-options.js';

/** `wanted`: the option, already checked to be a boolean (checkFlag). */
export function checkReusePort(wanted: boolean, binds: BindSpec[], field: Field): boolean {
  if (!wanted) return false;
  return field('reusePort', () => {
    const zero = binds.find((b) => b.kind === 'tcp' && b.port === 0);
    if (zero) usage(`--reuse-port needs a fixed port (got ${zero.text}): each worker binds it on its own, so port 0 would give each a different one`);
    if (!binds.some((b) => b.kind === 'tcp')) usage('--reuse-port needs a HOST:PORT bind: unix sockets and fd:// cannot be shared that way');
    return true;
  });
}
