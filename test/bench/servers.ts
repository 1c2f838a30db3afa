/**
 * The contenders, each started the way its users start it and driven through one small
 * interface: where it listens, which process supervises (and must stay out of the data path),
 * which processes serve, and how to stop it.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/http.js';

export { freePort };

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APPS = join(ROOT, 'test/bench/apps');
const CLI = join(ROOT, 'dist/src/cli.js');
const PM2 = join(ROOT, 'node_modules/pm2/bin/pm2');
const run = promisify(execFile);

export type Rec = Record<string, any>;

export interface Server {
  name: string;
  url: string;
  /** The supervising process (statefork's master, the cluster primary, pm2's daemon); none for a single process. */
  masterPid: number | null;
  workerPids(): Promise<number[]>;
  /** statefork only: its log records, as they arrive. */
  records: Rec[];
  waitRecord(pred: (r: Rec) => boolean, timeoutMs?: number, from?: number): Promise<Rec>;
  /** The way its users stop it gracefully (TERM, or `pm2 stop`); resolves once every process is gone. */
  stop(): Promise<void>;
  /** Kills whatever is left. */
  kill(): Promise<void>;
}

export interface StartOptions {
  workers: number;
  app?: string;
  env?: Record<string, string>;
  args?: string[];
  /** Chosen free by default; given when a caller polls the port while the server starts. */
  port?: number;
  /** The Node binary to run (the Node 22 run); this one's by default. */
  node?: string;
}

/** The Node 22 binary of the optional dependency node-22, when it is installed. */
export const NODE_22 = join(ROOT, 'node_modules/node-22/bin/node');

/** The children of a process, from the kernel. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function alive(pid: number): boolean {
  try {
    const state = /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until `check` holds, every 10 ms, or fails after the deadline saying what it waited for. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

/** Follows a child's output: JSON lines become records, anything else is kept as text. */
function follow(child: ChildProcess) {
  const records: Rec[] = [];
  let text = '';
  const read = (stream: NodeJS.ReadableStream | null) => {
    let buffer = '';
    stream?.on('data', (d: Buffer) => {
      buffer += d;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        text += `${line}\n`;
        if (line.startsWith('{'))
          try {
            records.push(JSON.parse(line));
          } catch {
            /* not a record */
          }
      }
    });
  };
  read(child.stdout);
  read(child.stderr);
  const exited = new Promise<void>((ok) => (child.exitCode !== null ? ok() : child.once('exit', () => ok())));
  const waitRecord = async (pred: (r: Rec) => boolean, timeoutMs = 30_000, from = 0) => {
    let found: Rec | undefined;
    await until(
      () => Boolean((found = records.slice(from).find(pred))),
      `a log record (${pred.toString().slice(0, 80)}); output so far:\n${text.slice(-2000)}`,
      timeoutMs,
    );
    return found!;
  };
  return { records, waitRecord, exited, text: () => text };
}

/** Every server started and not yet killed, so an interrupted bench leaves nothing running. */
const started = new Set<Server>();

export async function killEverything(): Promise<void> {
  for (const server of [...started]) await server.kill().catch(() => {});
}

function track<S extends Server>(server: S): S {
  const kill = server.kill;
  server.kill = async () => {
    started.delete(server);
    await kill();
  };
  started.add(server);
  return server;
}

function killTree(pids: number[]) {
  for (const pid of pids)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
}

async function local(name: string, child: ChildProcess, url: string, ready: (f: ReturnType<typeof follow>) => Promise<unknown>): Promise<Server> {
  const f = follow(child);
  await ready(f);
  const pid = child.pid!;
  return track({
    name,
    url,
    masterPid: name === 'single node' ? null : pid,
    workerPids: async () => (name === 'single node' ? [pid] : childrenOf(pid)),
    records: f.records,
    waitRecord: f.waitRecord,
    stop: async () => {
      child.kill('SIGTERM');
      await f.exited;
    },
    kill: async () => {
      killTree([...childrenOf(pid), pid]);
      await f.exited;
    },
  });
}

export async function startStatefork(o: StartOptions): Promise<Server> {
  const port = o.port ?? (await freePort());
  const child = spawn(
    o.node ?? process.execPath,
    [CLI, '-w', String(o.workers), '-b', `127.0.0.1:${port}`, ...(o.args ?? []), join(APPS, o.app ?? 'hello.cjs')],
    {
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return local('statefork', child, `http://127.0.0.1:${port}/`, (f) => f.waitRecord((r) => /^ready: every worker/.test(r.msg ?? '')));
}

/** The floor (apps/floor.cjs): a parent that binds, children that listen({ fd: 3 }), nothing else. */
export async function startFloor(o: StartOptions): Promise<Server> {
  const port = o.port ?? (await freePort());
  const child = spawn(o.node ?? process.execPath, [join(APPS, 'floor.cjs')], {
    env: { ...process.env, ...o.env, PORT: String(port), BENCH_WORKERS: String(o.workers), BENCH_APP: o.app ?? 'hello.cjs' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return local('fd-pass floor', child, `http://127.0.0.1:${port}/`, (f) => until(() => f.text().includes('ready\n'), 'the floor to print ready'));
}

export async function startCluster(sched: 'rr' | 'none', o: StartOptions): Promise<Server> {
  const port = o.port ?? (await freePort());
  const child = spawn(o.node ?? process.execPath, [join(APPS, 'cluster.cjs')], {
    env: { ...process.env, ...o.env, PORT: String(port), BENCH_SCHED: sched, BENCH_WORKERS: String(o.workers), BENCH_APP: o.app ?? 'hello.cjs' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return local(`cluster ${sched === 'rr' ? 'round-robin' : 'SCHED_NONE'}`, child, `http://127.0.0.1:${port}/`, (f) =>
    until(() => f.text().includes('ready\n'), 'the cluster primary to print ready'),
  );
}

export async function startSingle(o: Omit<StartOptions, 'workers'>): Promise<Server> {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, [join(APPS, 'listen.cjs')], {
    env: { ...process.env, ...o.env, PORT: String(port), BENCH_APP: o.app ?? 'hello.cjs' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return local('single node', child, `http://127.0.0.1:${port}/`, (f) => until(() => f.text().includes('listening\n'), 'the process to listen'));
}

/** pm2 in cluster mode, with a PM2_HOME of its own so a user's pm2 is never touched. */
export async function startPm2(o: StartOptions): Promise<Server & { pm2(...args: string[]): Promise<string>; online(): Promise<number> }> {
  const port = o.port ?? (await freePort());
  const home = mkdtempSync(join(tmpdir(), 'statefork-bench-pm2-'));
  const ecosystem = join(home, 'ecosystem.config.cjs');
  const env = { ...o.env, PORT: String(port), BENCH_APP: o.app ?? 'hello.cjs' };
  writeFileSync(
    ecosystem,
    `module.exports = ${JSON.stringify({ apps: [{ name: 'bench', script: join(APPS, 'listen.cjs'), exec_mode: 'cluster', instances: o.workers, env, autorestart: true }] })};\n`,
  );
  const pm2 = async (...args: string[]) =>
    (await run(process.execPath, [PM2, ...args], { env: { ...process.env, PM2_HOME: home }, maxBuffer: 1 << 24 })).stdout;
  const pids = async () => JSON.parse(await pm2('jlist')) as { pid: number; pm2_env: { status: string } }[];
  await pm2('start', ecosystem);
  const online = async () => (await pids()).filter((p) => p.pm2_env.status === 'online' && p.pid > 0).length;
  await until(async () => (await online()) === o.workers, 'pm2 to report every instance online');
  const daemon = Number(readFileSync(join(home, 'pm2.pid'), 'utf8'));
  const url = `http://127.0.0.1:${port}/`;
  await until(
    async () =>
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      ),
    'pm2 to answer',
  );
  const everything = async () => [...childrenOf(daemon), daemon];
  return track({
    name: 'pm2 cluster',
    url,
    masterPid: daemon,
    workerPids: async () => (await pids()).map((p) => p.pid).filter((p) => p > 0),
    records: [],
    waitRecord: () => Promise.reject(new Error('pm2 has no statefork records')),
    pm2,
    online,
    stop: async () => {
      const workers = childrenOf(daemon);
      await pm2('stop', 'bench');
      await until(() => workers.every((p) => !alive(p)), 'pm2 workers to exit');
    },
    kill: async () => {
      const all = await everything();
      await pm2('kill').catch(() => '');
      killTree(all.filter(alive));
      await until(() => all.every((p) => !alive(p)), 'pm2 to exit');
    },
  });
}

/** Requests served by each process, from the files hello.cjs writes under BENCH_COUNTS. */
export function readCounts(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => Number(readFileSync(join(dir, f), 'utf8')))
    .filter((n) => n > 0);
}
