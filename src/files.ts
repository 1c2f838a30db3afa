/**
 * Files statefork writes, opened so that a path cannot be turned against it. The master often
 * runs as root in a directory another user can write (a log directory shared with the workers'
 * user): a symbolic link planted at the path would make root append to, truncate or chown any
 * file. So the last component is never followed (O_NOFOLLOW), only a regular file is accepted
 * (a fifo would block, a device would be written to), ownership is changed on the open fd
 * (fchown), and temporary files are created new (O_EXCL) under a random name.
 */
import { fs, randomHex } from './node-builtins.js';
import { basename, dirname, join } from 'node:path';
import { StateforkError, type ErrorCode } from './errors.js';

const { closeSync, constants, fstatSync, fchownSync, ftruncateSync, lchownSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } = fs;

const { O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A log file statefork creates: read and written by its owner, read by its group, by no one else (--log-file-mode). */
export const LOG_FILE_MODE = 0o640;

export interface Owner {
  uid: number;
  gid: number;
}

function kindOf(mode: number): string {
  const type = mode & constants.S_IFMT;
  if (type === constants.S_IFDIR) return 'a directory';
  if (type === constants.S_IFIFO) return 'a fifo';
  if (type === constants.S_IFSOCK) return 'a socket';
  if (type === constants.S_IFCHR || type === constants.S_IFBLK) return 'a device';
  return 'not a regular file';
}

/**
 * Opens `path` for writing without following a link at its end, and only if it is a regular
 * file; `label` names the option in the error (--error-log, --access-log, --record).
 * `truncate` empties it once it is known to be a regular file; `dash` names the stream `-` means;
 * `mode` is the new file's (a file that is there keeps its own).
 */
export function openForWriting(
  path: string,
  label: string,
  {
    truncate = false,
    code = 'SF_ERROR_LOG',
    dash = null,
    mode = LOG_FILE_MODE,
  }: { truncate?: boolean; code?: ErrorCode; dash?: string | null; mode?: number } = {},
): number {
  let fd: number;
  try {
    // O_NONBLOCK: opening a fifo for writing would otherwise wait for a reader.
    fd = openSync(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | (truncate ? 0 : O_APPEND), mode);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ELOOP')
      throw new StateforkError(
        code,
        `cannot open ${label} ${path}: it is a symbolic link, and statefork does not follow links for files it writes; give the real path`,
      );
    // A fifo with no reader (or a device that is not there) cannot even be opened without waiting.
    if (err.code === 'EISDIR')
      throw new StateforkError(code, `cannot use ${label} ${path}: it is a directory, statefork writes only regular files; give a file path`);
    if (err.code === 'ENXIO')
      throw new StateforkError(code, `cannot use ${label} ${path}: it is a fifo or a device, statefork writes only regular files; give a file path`);
    throw new StateforkError(code, `cannot open ${label} ${path}: ${err.code ?? err.message}; give a writable file${dash ? ` or - for ${dash}` : ''}`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new StateforkError(code, `cannot use ${label} ${path}: it is ${kindOf(stat.mode)}, statefork writes only regular files; give a file path`);
  }
  if (truncate) ftruncateSync(fd, 0);
  return fd;
}

/** Gives an open file to another user: the fd's file, never what a path points to by then. */
export function giveFd(fd: number, owner: Owner | null): void {
  if (owner) fchownSync(fd, owner.uid, owner.gid);
}

/**
 * Gives a unix socket file the master just bound to another user. A socket cannot be opened, so
 * lchown (which never follows a link) on a path that lstat says is a socket.
 */
export function giveSocketFile(path: string, owner: Owner): void {
  if (!lstatSync(path).isSocket()) throw new Error(`${path} is no longer the socket statefork bound (it was replaced)`);
  lchownSync(path, owner.uid, owner.gid);
}

/**
 * Writes `content` to `path` atomically: a new file (O_EXCL, random name, mode `mode`) in the same
 * directory, then a rename over `path`, which replaces a link there rather than writing through it.
 */
export function writeAtomically(path: string, content: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomHex(6)}.tmp`);
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    writeSync(fd, content);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed or gone */
    }
    throw e;
  }
}
