/**
 * Runs the built CLI as a real process and reads its log as data: every stderr line is parsed as
 * a pino record. Waits are on records, with deadlines, never on bare sleeps.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
export const APPS = fileURLToPath(new URL('../fixtures/apps/', import.meta.url));
/** Runs the CLI under another Node when set (the Node 22/24 smoke runs). */
export const NODE = process.env.STATEFORK_TEST_NODE || process.execPath;

export type Rec = Record<string, any>;

export interface Running {
  child: ChildProcess;
  pid: number;
  records: Rec[];
  stdout: string;
  stderrText: () => string;
  exited: Promise<{ code: number | null; signal: string | null }>;
  waitFor(pred: (r: Rec) => boolean, opts?: { timeoutMs?: number; from?: number; what?: string }): Promise<Rec>;
  waitForCount(pred: (r: Rec) => boolean, n: number, opts?: { timeoutMs?: number; from?: number; what?: string }): Promise<Rec[]>;
  url(): string;
  workerPids(): number[];
  signal(sig: NodeJS.Signals): void;
}

const running = new Set<Running>();

afterEach(() => {
  for (const r of running) {
    for (const pid of [...r.workerPids(), ...allWorkerPidsSeen(r)])
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  running.clear();
});

function allWorkerPidsSeen(r: Running): number[] {
  return [...new Set(r.records.filter((x) => x.role === 'worker').map((x) => x.pid as number))];
}

/**
 * `wrap`: a command that execs the CLI in its own process (e.g. systemd-socket-activate ...);
 * `node`: another Node binary to run it with.
 */
export function startCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdio?: StdioOptions; wrap?: string[]; node?: string; command?: string[] } = {},
): Running {
  // `command`: what runs instead of `node CLI` (an installed package's bin).
  const [command, ...prefix] = opts.command ?? [...(opts.wrap ?? []), opts.node ?? NODE, CLI];
  const child = spawn(command, [...prefix, ...args], {
    cwd: opts.cwd ?? APPS,
    env: { ...process.env, ...opts.env },
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  const records: Rec[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let stderr = '';
  const r: Running = {
    child,
    pid: child.pid!,
    records,
    stdout: '',
    stderrText: () => stderr,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    async waitFor(pred, { timeoutMs = 20_000, from = 0, what = 'a matching record' } = {}) {
      return (await r.waitForCount(pred, 1, { timeoutMs, from, what }))[0];
    },
    waitForCount(pred, n, { timeoutMs = 20_000, from = 0, what = 'matching records' } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records.slice(from).filter(pred);
          if (found.length >= n) {
            cleanup();
            resolve(found.slice(0, n));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          const tail = records
            .slice(-25)
            .map((x) => JSON.stringify(x))
            .join('\n');
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} x ${what}; last records:\n${tail}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    url() {
      const rec = records.find((x) => x.url);
      if (!rec) throw new Error('no listening record yet');
      return rec.url;
    },
    workerPids() {
      // Live workers, as the master sees them: spawned and not yet exited.
      const live = new Map<number, number>();
      for (const x of records) {
        if (x.event === 'spawned') live.set(x.id, x.workerPid);
        if (x.machine === 'master.worker' && x.to === 'exited') live.delete(x.id);
      }
      return [...live.values()];
    },
    signal(sig) {
      process.kill(child.pid!, sig);
    },
  };
  child.stdout?.on('data', (d) => {
    r.stdout += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        records.push(JSON.parse(line));
      } catch {
        records.push({ raw: line });
      }
    }
    for (const w of [...waiters]) w();
  });
  running.add(r);
  return r;
}

/** Starts a master and waits until the whole first generation serves. */
/** `bootMs`: how long the first generation may take (a framework's first start is slower). */
export async function startServing(args: string[], opts: Parameters<typeof startCli>[1] & { bootMs?: number } = {}): Promise<Running> {
  const r = startCli(args, opts);
  await r.waitFor((x) => x.machine === 'master' && x.to === 'serving.running', {
    what: 'the master to reach serving.running',
    timeoutMs: opts.bootMs ?? 20_000,
  });
  return r;
}

export const isTransition = (machine: string, to: string) => (x: Rec) => x.event === 'transition' && x.machine === machine && x.to === to;

/**
 * Whether a process still runs. A zombie does not: an orphaned worker that exited waits for
 * init (or a container's PID 1) to reap it, and `kill(pid, 0)` still succeeds on it meanwhile.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls a condition with a deadline (for things no log record announces, like a process gone). */
export async function eventually(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

/** Children of a process, read from the process tree (not from our log). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    });
}

/** Runs the CLI expecting a refusal: its exit code and the lines it printed on stderr. */
export async function refusal(args: string[], opts: Parameters<typeof startCli>[1] = {}): Promise<{ code: number | null; lines: string[] }> {
  const r = startCli(args, opts);
  const { code } = await r.exited;
  return { code, lines: r.stderrText().trim().split('\n') };
}

/** The inspector page's address with the controls' token, as `statefork dashboard-url` prints it for this master. */
export async function dashboardUrl(m: Running): Promise<string> {
  const r = startCli(['dashboard-url', '--control-socket', `/run/statefork/${m.pid}.sock`]);
  const { code } = await r.exited;
  if (code !== 0) throw new Error(`statefork dashboard-url exited ${code}: ${r.stderrText()}`);
  return r.stdout.trim();
}

/**
 * A copy of the build without some of its native parts (as on a platform or Node they were not
 * built for): the path of its CLI. `drop` names the files of dist/src/native/ to leave out.
 */
export function buildWithout(drop: (file: string) => boolean): { cli: string; remove(): void } {
  const root = join(CLI, '..', '..', '..');
  const copy = mkdtempSync(join(tmpdir(), 'statefork-without-'));
  chmodSync(copy, 0o755); // workers as nobody load their entry from it
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const native = join(copy, 'dist', 'src', 'native');
  for (const f of readdirSync(native).filter(drop)) rmSync(join(native, f));
  return { cli: join(copy, 'dist', 'src', 'cli.js'), remove: () => rmSync(copy, { recursive: true, force: true }) };
}
