/** --certfile, --keyfile and --ca-certs: readable PEM files, given together or not at all. */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { checkString, field, usage, type Config, type Options, type Sources } from './options.js';

export function tlsFiles(options: Options, sources: Sources): Config['tls'] {
  const file = (key: 'certfile' | 'keyfile' | 'caCerts', flag: string) => options[key] === undefined ? null : field(key, sources, () => {
    const path = resolve(checkString(flag, options[key]));
    try {
      accessSync(path, constants.R_OK);
    } catch {
      usage(`invalid ${flag} '${options[key]}': the file does not exist or cannot be read; give a PEM file`);
    }
    return path;
  });
  const cert = file('certfile', '--certfile');
  const key = file('keyfile', '--keyfile');
  const ca = file('caCerts', '--ca-certs');
  if (!cert && !key) {
    if (ca) usage('--ca-certs needs --certfile and --keyfile: give all three, or none');
    return null;
  }
  if (!cert || !key) usage(`--certfile and --keyfile go together: give both, or neither (got only ${cert ? '--certfile' : '--keyfile'})`);
  return { cert, key, ca };
}
