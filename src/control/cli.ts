/**
 * `statefork status|workers|scale|reload|reopen|stop|kill|dashboard-url`: talk to a running
 * master over its control socket. A table or a line for people, `--json` (the response's data) for scripts.
 */
import { Command as Program } from 'commander';
import { EXIT } from '../../machines/exit-codes.js';
import { escapeControls, escapeJsonControls } from '../../machines/untrusted-text.js';
import { StateforkError } from '../errors.js';
import { controlRequest } from './client.js';
import { locateControlSocket } from './paths.js';
import type { Command } from './protocol.js';

interface Opts {
  controlSocket?: string;
  pid?: string;
  json?: boolean;
  quick?: boolean;
}
type Status = {
  pid: number;
  state: string;
  uptimeSeconds: number;
  generation: number;
  target: number;
  workers: { live: number; ready: number; booting: number; retiring: number };
  upgrade: { newMasterPid: number | null; ready: boolean } | null;
  upgradeFrom: number | null;
  scaling?: Scaling | null;
  lastHang?: {
    id: number;
    workerPid: number;
    at: number;
    stack: string[];
    note: string | null;
    threads: Array<{ tid: number; syscall: string | null }>;
  } | null;
};
type Worker = {
  id: number;
  slot: number | null;
  pid: number | null;
  state: string;
  generation: number | null;
  ageSeconds: number | null;
  requests: number | null;
  hang?: NonNullable<Status['lastHang']>;
  connections?: { open: number; upgraded: number; streaming: number };
  load?: { elu: number; delayP99Ms: number; heapUsedBytes: number } | null;
  rssBytes: number | null;
  heartbeatAgeSeconds: number | null;
};

/**
 * What the master sent is shown on a terminal, and part of it a worker wrote: control characters
 * (an escape sequence could rewrite the screen or the title, a newline forge a line) are written
 * out as escapes, and in --json so are those JSON leaves as they are (DEL, C1, the bidi controls).
 * The master escapes what it takes from workers already; this also holds against an older one.
 */
export const printable = (v: unknown): string => escapeControls(String(v));
const printableJson = (v: unknown): string => escapeJsonControls(JSON.stringify(v, null, 2));

const duration = (s: number) =>
  s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${Math.floor(s / 60)}m${Math.floor(s % 60)}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
const mib = (b: number | null) => (b === null ? '-' : `${(b / 1048576).toFixed(1)} MiB`);

function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(printable));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Where the last hung worker was: its top frame, else the system call its main thread sat in. */
function lastHang(h: NonNullable<Status['lastHang']>): string {
  const main = h.threads.find((t) => t.tid === h.workerPid);
  const where = h.stack[0] ? `in ${h.stack[0]}` : `blocked in ${main?.syscall ?? 'an unknown system call'} (no JavaScript frame)`;
  return `worker ${h.id} (pid ${h.workerPid}) ${duration((Date.now() - h.at) / 1000)} ago, ${where}`;
}

type Scaling = { min: number; max: number; maxReason: string; queued: number; meanElu: number | null };
const CEILING: Record<string, string> = { max: 'MAX', cpu: 'the CPUs', memory: 'the memory' };

/** `1:4 (max from the CPUs), 2 queued, mean loop 85%`. */
function adaptive(a: Scaling): string {
  return `${a.min}:${a.max} (max from ${CEILING[a.maxReason] ?? printable(a.maxReason)}), ${a.queued} queued, mean loop ${a.meanElu === null ? '-' : `${Math.round(a.meanElu * 100)}%`}`;
}

export function formatStatus(s: Status): string {
  const upgrade = s.upgrade
    ? `new master ${s.upgrade.newMasterPid ?? '(starting)'}, ${s.upgrade.ready ? 'ready' : 'booting'}`
    : s.upgradeFrom
      ? `this is the new master; the old one (${s.upgradeFrom}) still runs`
      : 'none';
  return table([
    ['pid', String(s.pid)],
    ['state', s.state],
    ['uptime', duration(s.uptimeSeconds)],
    ['generation', String(s.generation)],
    ['workers', `${s.workers.ready} ready of ${s.target} (${s.workers.booting} booting, ${s.workers.retiring} retiring)`],
    ...(s.scaling ? [['adaptive', adaptive(s.scaling)]] : []),
    ['upgrade', upgrade],
    ...(s.lastHang ? [['last hang', lastHang(s.lastHang)]] : []),
  ]);
}

export function formatWorkers(all: Worker[]): string {
  const ws = all.filter((w) => w.state !== 'hung');
  const hung = all.find((w) => w.hang)?.hang;
  return (
    table([
      ['ID', 'SLOT', 'PID', 'STATE', 'GEN', 'AGE', 'REQUESTS', 'CONNS', 'WS', 'STREAMS', 'ELU', 'LAG p99', 'RSS', 'HEAP', 'HEARTBEAT'],
      ...ws.map((w) => [
        String(w.id),
        String(w.slot ?? '-'),
        String(w.pid ?? '-'),
        w.state,
        String(w.generation ?? '-'),
        duration(w.ageSeconds ?? 0),
        String(w.requests ?? 0),
        ...(['open', 'upgraded', 'streaming'] as const).map((k) => String(w.connections?.[k] ?? '-')),
        w.load ? `${Math.round(w.load.elu * 100)}%` : '-',
        w.load ? `${w.load.delayP99Ms.toFixed(1)} ms` : '-',
        mib(w.rssBytes),
        w.load ? mib(w.load.heapUsedBytes) : '-',
        w.heartbeatAgeSeconds === null ? '-' : `${w.heartbeatAgeSeconds.toFixed(1)}s ago`,
      ]),
    ]) + (hung ? `last hang: ${printable(lastHang(hung))}\n` : '')
  );
}

function describe(command: Command, data: Record<string, unknown>): string {
  switch (command) {
    case 'scale':
      return `target ${printable(data.target)} worker${data.target === 1 ? '' : 's'} (${printable(data.state)})\n`;
    case 'kill':
      return `sent SIGTERM to worker ${printable(data.id)} (pid ${printable(data.pid)}); the master replaces it\n`;
    case 'dashboard-url':
      return `${printable(data.url)}\n`;
    default:
      return `${command} requested (${printable(data.state)})\n`;
  }
}

export async function controlCommand(name: Command, argv: string[]): Promise<number> {
  let args: Record<string, unknown> = {};
  const program = new Program(`statefork ${name}`)
    .option('--control-socket <path>', "the master's control socket [default: the only running master's]")
    .option('-p, --pid <file>', 'find the master by its pidfile')
    .option('--json', "print the reply's data as JSON")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`statefork: ${text.trim().replace(/\n+/g, ' ')}\n`) });
  if (name === 'scale')
    program.argument('<workers>', 'N, +N or -N').action((w: string) => {
      args = { workers: w };
    });
  if (name === 'kill')
    program.argument('<pid>', "a worker's pid").action((p: string) => {
      if (!/^\d+$/.test(p)) throw new StateforkError('SF_USAGE', `invalid pid '${p}': expected a worker's pid (see statefork workers)`);
      args = { pid: Number(p) };
    });
  if (name === 'stop') program.option('--quick', 'stop at once (as QUIT) instead of gracefully (as TERM)');
  program.parse(argv, { from: 'user' });
  const opts = program.opts<Opts>();
  if (name === 'stop') args = { quick: opts.quick === true };
  const reply = await controlRequest(locateControlSocket(opts), name, args);
  if (typeof reply !== 'object' || reply === null || (reply.ok !== true && reply.ok !== false))
    throw new StateforkError('SF_NO_MASTER', "the master's reply is not a statefork reply");
  if (!reply.ok)
    throw new StateforkError(reply.error?.code === 'bad-args' ? 'SF_USAGE' : 'SF_REFUSED', `the master refused: ${printable(reply.error?.message)}`);
  if (opts.json) process.stdout.write(`${printableJson(reply.data)}\n`);
  else if (name === 'status') process.stdout.write(formatStatus(reply.data as Status));
  else if (name === 'workers') process.stdout.write(formatWorkers(reply.data as Worker[]));
  else process.stdout.write(describe(name, reply.data as Record<string, unknown>));
  return EXIT.OK;
}
