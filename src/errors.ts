/**
 * Every error statefork reports to a user: a stable code (for scripts and docs), the exit code it
 * ends the process with, and a one-line message that names the problem and the fix.
 */
import { EXIT } from '../machines/exit-codes.js';

export const ERRORS = {
  SF_USAGE: EXIT.USAGE,
  SF_BAD_BIND: EXIT.USAGE,
  SF_BAD_APP_SPEC: EXIT.USAGE,
  SF_CONFIG: EXIT.USAGE,
  SF_BIND_IN_USE: EXIT.FAILURE,
  SF_BIND_FAILED: EXIT.FAILURE,
  SF_PIDFILE: EXIT.FAILURE,
  SF_TMP_DIR: EXIT.FAILURE,
  SF_ERROR_LOG: EXIT.FAILURE,
  SF_WORKER_BOOT: EXIT.WORKER_BOOT_ERROR,
  SF_APP_LOAD: EXIT.APP_LOAD_ERROR,
  /** The control commands (statefork status, ...): no master answers, or it refused. */
  SF_NO_MASTER: EXIT.FAILURE,
  SF_REFUSED: EXIT.FAILURE,
  /** A control socket, or its directory, that another user could have put there. */
  SF_UNTRUSTED: EXIT.FAILURE,
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class StateforkError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'StateforkError';
    this.code = code;
    this.exitCode = ERRORS[code];
  }
}

export const isStateforkError = (e: unknown): e is StateforkError => e instanceof StateforkError;
