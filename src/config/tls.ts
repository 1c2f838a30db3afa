/** --certfile, --keyfile and --ca-certs: readable PEM files, given together or not at all. */
import { fs } from '../node-builtins.js';
import { resolve } from 'node:path';
import { checkString, shown, usage } from './checks.js';
import type { Config } from './types.js';

const { accessSync, constants } = fs;

/** One of the three files: its absolute path, once it is known to be readable. */
export function checkPemFile(name: string, value: unknown): string {
  const path = resolve(checkString(name, value));
  try {
    accessSync(path, constants.R_OK);
  } catch {
    usage(`invalid ${name} '${shown(value)}': the file does not exist or cannot be read; give a PEM file`);
  }
  return path;
}

/** The files, each already checked: together or not at all. */
export function tlsFiles({ cert, key, ca }: { cert: string | null; key: string | null; ca: string | null }): Config['tls'] {
  if (!cert && !key) {
    if (ca) usage('--ca-certs needs --certfile and --keyfile: give all three, or none');
    return null;
  }
  if (!cert || !key) usage(`--certfile and --keyfile go together: give both, or neither (got only ${cert ? '--certfile' : '--keyfile'})`);
  return { cert, key, ca };
}
