/**
 * -u/--user and -g/--group: the identity workers run as. The master keeps its own (it binds, and
 * owns what it created); it must be root to start workers as someone else. Names are looked up
 * in /etc/passwd and /etc/group (Node has no getpwnam); numbers are taken as they are.
 */
import { fs } from '../node-builtins.js';
import { usage } from './checks.js';
import type { Field, Options } from './given-options.js';

const { readFileSync } = fs;

export interface WorkerIdentity {
  uid: number;
  gid: number;
  /** user:group as given, for the log and --print-config. */
  text: string;
}

/** Entries of a colon-separated database (/etc/passwd, /etc/group): name -> fields. */
function database(path: string): Map<string, string[]> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // no such database: only numbers will do
  }
  return new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'))
      .map((f) => [f[0], f]),
  );
}

const isId = (v: unknown) => (typeof v === 'number' ? Number.isInteger(v) && v >= 0 : typeof v === 'string' && /^\d+$/.test(v));

export function workerIdentity(options: Options, field: Field, currentUid = process.getuid?.() ?? 0): WorkerIdentity | null {
  if (options.user === undefined && options.group === undefined) return null;
  let uid = currentUid;
  let primaryGid: number | null = null;
  if (options.user !== undefined) {
    field('user', () => {
      const value = options.user!;
      if (isId(value)) {
        uid = Number(value);
        // A uid's primary group comes from the passwd database too; without an entry there is
        // none to take (the master's own group, root's, would be a privilege left behind).
        const entry = [...database('/etc/passwd').values()].find((f) => Number(f[2]) === uid);
        if (entry) primaryGid = Number(entry[3]);
        else if (options.group === undefined)
          usage(`invalid --user '${value}': uid ${uid} has no entry in /etc/passwd, so its primary group is unknown; give --group too (e.g. --group ${uid})`);
        return uid;
      }
      const entry = database('/etc/passwd').get(String(value));
      if (!entry) usage(`invalid --user '${value}': no such user in /etc/passwd; give a user name or a numeric uid (e.g. --user nobody)`);
      uid = Number(entry[2]);
      primaryGid = Number(entry[3]);
      return uid;
    });
  }
  let gid = primaryGid ?? process.getgid?.() ?? 0;
  if (options.group !== undefined) {
    gid = field('group', () => {
      const value = options.group!;
      if (isId(value)) return Number(value);
      const entry = database('/etc/group').get(String(value));
      if (!entry) usage(`invalid --group '${value}': no such group in /etc/group; give a group name or a numeric gid (e.g. --group nogroup)`);
      return Number(entry[2]);
    });
  }
  if (currentUid !== 0 && uid !== currentUid) {
    usage(`--user ${options.user} needs the master to run as root (it runs as uid ${currentUid}): start it as root, or drop --user`);
  }
  return { uid, gid, text: `${options.user ?? uid}:${options.group ?? gid}` };
}
