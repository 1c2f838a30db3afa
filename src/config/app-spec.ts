/** `path` or `path:exportName`, like gunicorn's `module:app`. */
import { resolve } from 'node:path';
import { StateforkError } from '../errors.js';

import type { AppSpec } from '../../machines/worker-settings.js';

export type { AppSpec };

export function parseAppSpec(text: string): AppSpec {
  const m = /^(.+):([A-Za-z_$][\w$]*)$/.exec(text);
  const [file, exportName] = m ? [m[1], m[2]] : [text, null];
  if (!file.trim()) throw new StateforkError('SF_BAD_APP_SPEC', `invalid app '${text}': expected PATH or PATH:EXPORT (e.g. ./app.js or ./app.js:handler)`);
  return { text, path: resolve(file), exportName };
}
