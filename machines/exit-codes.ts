/**
 * Exit codes are protocol: a worker tells the master why it died by its exit code, and the
 * master tells its supervisor (systemd, a shell, CI) the same way. One table, shared by both
 * runtimes and documented in the README.
 */
export const EXIT = {
  /** Clean exit: a graceful or quick stop finished. */
  OK: 0,
  /** Start-up failed for a reason outside the app: cannot bind, pidfile, worker tmp dir. */
  FAILURE: 1,
  /** Bad command line or option value. */
  USAGE: 2,
  /** A worker could not boot (not ready within --boot-timeout, could not listen). */
  WORKER_BOOT_ERROR: 3,
  /** The app could not be loaded (throws at import, missing file, no accepted export). */
  APP_LOAD_ERROR: 4,
} as const;

/** A worker that was aborted (SIGABRT after a heartbeat timeout) exits with this code. */
export const WORKER_ABORTED = 1;
