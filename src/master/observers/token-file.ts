/**
 * --inspector-token-file: the controls' token, for an operator (or their tooling) who would rather
 * read a file than ask the control socket. Created new under a random name and renamed into place
 * (a link planted at the path is replaced, never written through), mode 0600 and owned by the
 * master's user: no worker, and no other user, can read it. Removed on exit only while it is
 * still the file this master wrote (a hot upgrade's new master writes its own over it).
 */
import { fs } from '../../node-builtins.js';
import { StateforkError } from '../../errors.js';
import { writeAtomically } from '../../files.js';

const { lstatSync, unlinkSync } = fs;

export interface TokenFile {
  remove(): void;
}

export function writeTokenFile(path: string, token: string): TokenFile {
  try {
    writeAtomically(path, `${token}\n`, 0o600);
  } catch (e) {
    throw new StateforkError(
      'SF_CONFIG',
      `cannot write --inspector-token-file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a path in a directory the master can write`,
    );
  }
  const written = lstatSync(path);
  return {
    remove: () => {
      try {
        const now = lstatSync(path);
        if (now.ino === written.ino && now.dev === written.dev) unlinkSync(path);
      } catch {
        /* gone already */
      }
    },
  };
}
