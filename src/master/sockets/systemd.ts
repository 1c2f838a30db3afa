/**
 * systemd socket activation: when systemd (or systemd-socket-activate) started this process with
 * sockets, LISTEN_PID names this process and LISTEN_FDS counts the sockets, passed as fds 3, 4, ...
 * (LISTEN_FDNAMES names them, colon-separated). They replace --bind: the sockets are systemd's.
 * The variables are removed once read, as sd_listen_fds(3) does, so that no child takes them
 * for its own.
 */
import { StateforkError } from '../../errors.js';
import { parseBind, type BindSpec } from '../../config/bind.js';

/** The first fd systemd passes (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

export interface Activation {
  binds: BindSpec[];
  names: string[];
}

export function socketActivation(env: NodeJS.ProcessEnv, pid: number): Activation | null {
  const { LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES } = env;
  if (LISTEN_PID === undefined || LISTEN_FDS === undefined || Number(LISTEN_PID) !== pid) return null;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  const count = /^\d+$/.test(LISTEN_FDS) ? Number(LISTEN_FDS) : NaN;
  if (!Number.isInteger(count) || count < 1) {
    throw new StateforkError(
      'SF_USAGE',
      `invalid LISTEN_FDS '${LISTEN_FDS}' for this process: expected the number of sockets systemd passed, 1 or more; check the .socket unit`,
    );
  }
  const fds = Array.from({ length: count }, (_, i) => FIRST_FD + i);
  const names = LISTEN_FDNAMES ? LISTEN_FDNAMES.split(':') : [];
  // A socket named `proxy` or `proxy-...` (FileDescriptorName=) carries PROXY protocol headers, as `--bind proxy:` does.
  return {
    binds: fds.map((fd, i) => parseBind(`${/^proxy(-|$)/.test(names[i] ?? '') ? 'proxy:' : ''}fd://${fd}`)),
    names: fds.map((fd, i) => names[i] ?? `fd://${fd}`),
  };
}
