/** --control-socket PATH / --no-control-socket: where the master answers statefork status and co. */
import { resolve } from 'node:path';
import { controlDir, defaultControlSocket } from '../control/paths.js';
import { shown, usage } from './checks.js';

export function controlSocketOption(value: unknown): { path: string; isDefault: boolean } | null {
  if (value === false) return null;
  if (value === undefined || value === true) return { path: defaultControlSocket(process.pid, controlDir()), isDefault: true };
  if (typeof value !== 'string' || !value.trim()) usage(`invalid controlSocket '${shown(value)}': expected a path, or false to disable it`);
  return { path: resolve(value), isDefault: false };
}
