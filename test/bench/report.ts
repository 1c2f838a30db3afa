/** One bench run as data (the JSON file) and as the markdown tables the README shows. */
import type { ThroughputRow } from './sections/throughput.js';
import type { ReloadRow } from './sections/reload.js';
import type { StopRow } from './sections/stop.js';
import type { HungRow } from './sections/hung.js';
import { SETTLE_SECONDS, type FootprintRow } from './sections/footprint.js';
import type { StartupRow } from './sections/startup.js';
import type { PipelineRow } from './sections/pipeline.js';
import type { FetchRow } from './sections/fetch.js';
import type { LongLivedRow } from './sections/long-lived.js';
import { adaptiveTable, type AdaptiveRow } from './sections/adaptive.js';
import { fleetTable, type FleetRow } from './sections/fleet.js';
import { listenRatio, ownListenTable, type OwnListenRow } from './sections/own-listen.js';
import { http2Table, type Http2Row } from './sections/http2.js';
import type { BenchSettings } from './settings.js';

export interface BenchRun {
  date: string;
  command: string;
  machine: { cpu: string; cores: number; memoryGiB: number; kernel: string };
  node: string;
  commit: string;
  tools: Record<string, string>;
  settings: BenchSettings;
  throughput?: ThroughputRow[];
  throughput22?: ThroughputRow[];
  fetch?: FetchRow[];
  reload?: ReloadRow[];
  stop?: StopRow[];
  hung?: HungRow[];
  footprint?: FootprintRow[];
  startup?: StartupRow[];
  pipeline?: PipelineRow[];
  longLived?: LongLivedRow[];
  adaptive?: AdaptiveRow[];
  fleet?: FleetRow[];
  ownListen?: OwnListenRow[];
  http2?: Http2Row[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? '–' : n < 10 ? `${n.toFixed(2)} ms` : `${int(n)} ms`);
const pct = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)}%`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** A contender against the floor: the median of its rounds' ratios to the floor's same rounds, and their range. */
export const vsFloor = (r: ThroughputRow) => median(r.vsFloor ?? []);
const ratioCell = (r: ThroughputRow) =>
  r.vsFloor?.length ? `${vsFloor(r).toFixed(2)}x (${Math.min(...r.vsFloor).toFixed(2)}–${Math.max(...r.vsFloor).toFixed(2)})` : '–';

function throughputTable(rows: ThroughputRow[], s: BenchSettings, title: string): string {
  return `### ${title}\n\n${s.workers} workers each (the single process: one), wrk with ${s.connections} connections, ${s.rounds} rounds of ${s.seconds} s per contender taking turns (all contenders up at once), after a ${s.warmupSeconds} s warm-up; requests summed over the rounds, latency from the median round, on ${rows[0]?.node ?? 'Node'}. "vs floor" compares each round with the fd-pass floor's round just before it (a parent that binds, children that listen on its socket, no manager at all): the median of the rounds' ratios, and their range. "master CPU" is the supervising process's CPU during the run (% of one core). "spread" is the lowest and highest share of requests one worker served.\n\n${table(
    ['contender', 'load', 'req/s', 'vs floor (rounds)', 'p50', 'p99', 'errors', 'master CPU', 'spread'],
    rows.map((r) => [
      r.contender,
      r.load,
      int(r.rps),
      ratioCell(r),
      ms(r.p50Ms),
      ms(r.p99Ms),
      r.errors,
      pct(r.masterCpuPercent),
      r.shares.length > 1 ? `${r.shares[0].toFixed(0)}–${r.shares[r.shares.length - 1].toFixed(0)}%` : '–',
    ]),
  )}`;
}

function fetchTable(rows: FetchRow[], s: BenchSettings): string {
  const base = (app: string) => rows.find((r) => r.app === app && r.form.startsWith('request listener (getRequestListener)'))!.rps;
  return `### 8. The fetch form\n\nThe same Hono and h3 apps served by statefork (${s.workers} workers) in the fetch form, and as the request listener @hono/node-server makes of them (what the fetch form is held to); the h3 app also through h3's own \`toNodeHandler\`. wrk, keep-alive, ${s.connections} connections, ${s.rounds} interleaved rounds of ${s.seconds} s.\n\n${table(
    ['app', 'served as', 'req/s', 'rounds', 'vs getRequestListener', 'p99', 'errors'],
    rows.map((r) => [
      r.app,
      r.form,
      int(r.rps),
      `${int(Math.min(...r.roundRps))}–${int(Math.max(...r.roundRps))}`,
      `${(r.rps / base(r.app)).toFixed(2)}x`,
      ms(r.p99Ms),
      r.errors,
    ]),
  )}`;
}

function reloadTable(rows: ReloadRow[], s: BenchSettings): string {
  return `### 2. Reload under load\n\n${s.reloads} consecutive reloads (statefork: HUP; pm2: \`pm2 reload\`) while wrk sends requests on ${s.connections} connections. "swap" is the time from the reload command until every worker is new (pm2's includes starting its CLI, about a third of a second).\n\n${table(
    ['contender', 'load', 'reloads', 'failed requests', 'of which connect errors', 'requests', 'req/s meanwhile', 'p99', 'swap median', 'swap worst'],
    rows.map((r) => [
      r.contender,
      r.load,
      r.reloads,
      `**${r.errors}**`,
      r.connectErrors,
      int(r.requests),
      int(r.rps),
      ms(r.p99Ms),
      ms(r.swapMedianMs),
      ms(r.swapMaxMs),
    ]),
  )}`;
}

function stopTable(rows: StopRow[]): string {
  return `### 3. Stop under load\n\n${rows[0]?.sent ?? 0} requests sent at once, each holding a worker's event loop for 20 ms; the stop is sent once 10 have been answered, so the rest are being served, accepted and waiting, or queued in the kernel.\n\n${table(
    ['contender', 'stopped with', 'completed', 'reset', 'refused', 'left hanging (10 s)', 'stop took'],
    rows.map((r) => [r.contender, r.how, `**${r.completed}**/${r.sent}`, r.reset, r.refused, r.timedOut + r.otherErrors, ms(r.stopMs)]),
  )}`;
}

function hungTable(rows: HungRow[], s: BenchSettings): string {
  const detected = rows.map((r) => r.detectedMs);
  const replaced = rows.map((r) => r.replacedMs);
  const target = (s.hungTimeout + 1) * 1000;
  return `### 4. Hung-worker detection\n\nOne worker blocks its event loop for good, \`--timeout ${s.hungTimeout}\`, ${rows.length} trials. pm2 and Node's cluster module have no heartbeat: there a hung worker stays hung.\n\n${table(
    ['', 'median', 'worst', `target (timeout + 1 s)`],
    [
      ['master kills the hung worker', ms(median(detected)), ms(Math.max(...detected)), ''],
      ['a new worker answers', ms(median(replaced)), ms(Math.max(...replaced)), `${ms(target)}: ${Math.max(...replaced) <= target ? 'met' : '**missed**'}`],
      ...(rows.some((r) => r.stackMs != null)
        ? [
            [
              `taking the stack (${rows.filter((r) => r.stackTaken).length} of ${rows.length} with frames; before the kill, which waits for nothing)`,
              ms(median(rows.flatMap((r) => (r.stackMs == null ? [] : [r.stackMs])))),
              ms(Math.max(...rows.flatMap((r) => (r.stackMs == null ? [] : [r.stackMs])))),
              '',
            ],
          ]
        : []),
    ],
  )}`;
}

function footprintTable(rows: FootprintRow[], s: BenchSettings): string {
  return `### 5. Footprint\n\nResident memory (RSS) and private memory (what one more such process really costs: RSS also counts the pages of the Node binary that every process shares) of each process, and its CPU over ${s.idleSeconds} idle seconds from ${SETTLE_SECONDS} s after the servers are up (past V8's one-off memory-reducing collections about 8 s after a start), measured side by side (servers with ${s.workers} workers, each served 20 requests first); then statefork's master alone with ${s.workers} and with ${s.scaleTo} workers, idle and under wrk (keep-alive, ${s.seconds * 2} s).\n\n${table(
    ['process', 'RSS', 'private', 'idle CPU', 'CPU under load'],
    rows.map((r) => [
      r.process,
      `${r.rssMiB.toFixed(1)} MiB`,
      r.privateMiB === undefined ? '–' : `${r.privateMiB.toFixed(1)} MiB`,
      pct(r.idleCpuPercent),
      r.loadCpuPercent === undefined ? '–' : pct(r.loadCpuPercent),
    ]),
  )}`;
}

const floorStart = (rows: StartupRow[]) => rows.find((r) => r.contender === 'fd-pass floor')?.firstResponseMs ?? null;

function startupTable(rows: StartupRow[], s: BenchSettings): string {
  return `### 6. Start and scale\n\n"first 200": from launch (pm2: from \`pm2 start\`, its daemon included) to the first answer. "scale": from ${s.workers} to ${s.scaleTo} workers, all ready (statefork: one TTIN at a time; pm2: \`pm2 scale\`). "swap": a reload with ${s.swapWorkers} workers until every one is new.\n\n${table(
    ['contender', 'first 200', 'vs floor', `scale ${s.workers} → ${s.scaleTo}`, `swap ${s.swapWorkers} workers`],
    rows.map((r) => [
      r.contender,
      ms(r.firstResponseMs),
      floorStart(rows) ? `${(r.firstResponseMs / floorStart(rows)!).toFixed(2)}x` : '–',
      ms(r.scaleMs),
      ms(r.swapMs),
    ]),
  )}`;
}

function pipelineTable(rows: PipelineRow[]): string {
  return `### 7. Event pipeline\n\nSynthetic heartbeat ticks and child exits (no processes) through the runtime's RxJS merge into the real master machine with 8 workers; spawn and kill effects answer at once. A real master sees about one tick a second.\n\n${table(
    ['variant', 'events', 'events/s'],
    rows.map((r) => [r.variant, int(r.events), `**${int(r.eventsPerSecond)}**`]),
  )}`;
}

export function longLivedTable(rows: LongLivedRow[], s: BenchSettings): string {
  const closes = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([code, n]) => `${n} × ${code}`)
      .join(', ') || 'none';
  return `### 9. Long-lived connections\n\nA \`HUP\` under ${rows[0]?.clients ?? 0} WebSocket connections (ws) to ${s.workers} workers, each client sending a message every 100 ms and sending again, on its new connection, whatever was not echoed. "reload" runs from the \`HUP\` to the last old worker gone; "closes" are how the clients' connections to old workers ended (1001: a close frame, Going Away; 1006 would be a reset); "reconnect" from the close to the new worker's first message.\n\n${table(
    ['app', '--graceful-timeout', 'reload', 'messages lost', 'closes', 'reconnect p50', 'reconnect p99'],
    rows.map((r) => [
      r.app,
      `${r.gracefulTimeoutSeconds} s`,
      ms(r.reloadMs),
      `${r.lost} of ${int(r.sent)}`,
      closes(r.closes),
      ms(r.reconnectP50Ms),
      ms(r.reconnectP99Ms),
    ]),
  )}`;
}

/** The targets, each with what this run measured and whether it is met. */
function targetsTable(run: BenchRun): string | null {
  const { throughput: tp, throughput22: tp22, reload, hung, footprint, startup, fetch, settings: s } = run;
  if (!tp && !footprint && !startup) return null;
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const rows: string[][] = [];
  for (const [rowsOf, node] of [
    [tp ?? [], tp?.[0]?.node],
    [tp22 ?? [], tp22?.[0]?.node],
  ] as const) {
    if (!rowsOf.length) continue;
    for (const load of ['keep-alive', 'new connection']) {
      const sf = rowsOf.find((r) => r.contender === 'statefork' && r.load === load)!;
      const floor = rowsOf.find((r) => r.contender === 'fd-pass floor' && r.load === load)!;
      rows.push([`throughput (${load}, ${node}) at least 0.97x the floor`, `${vsFloor(sf).toFixed(2)}x`, verdict(vsFloor(sf) >= 0.97)]);
      const p99 = sf.p99Ms / floor.p99Ms;
      rows.push([`p99 (${load}, ${node}) at most 1.1x the floor's`, `${p99.toFixed(2)}x (${ms(sf.p99Ms)} vs ${ms(floor.p99Ms)})`, verdict(p99 <= 1.1)]);
    }
  }
  if (tp) {
    const rps = (who: string, load: string) => tp.find((r) => r.contender === who && r.load === load)!.rps;
    const vs = (who: string) => rps('statefork', 'new connection') / rps(who, 'new connection');
    rows.push([
      "throughput (new connection) above pm2's and cluster round-robin's",
      `${vs('pm2 cluster').toFixed(2)}x, ${vs('cluster round-robin').toFixed(2)}x`,
      verdict(vs('pm2 cluster') > 1 && vs('cluster round-robin') > 1),
    ]);
  }
  const fp = (name: string) => footprint?.find((r) => r.process === name);
  const [worker, child] = [fp('statefork worker (hello world)'), fp('fd-pass floor child (hello world)')];
  if (worker && child) {
    rows.push([
      'one idle worker at most 6 MiB above a floor child (RSS)',
      `+${(worker.rssMiB - child.rssMiB).toFixed(1)} MiB (${worker.rssMiB.toFixed(1)} vs ${child.rssMiB.toFixed(1)}; private +${(worker.privateMiB! - child.privateMiB!).toFixed(1)})`,
      verdict(worker.rssMiB - child.rssMiB <= 6),
    ]);
  }
  for (const m of (footprint ?? []).filter((r) => r.process.startsWith('statefork master,'))) {
    rows.push([`master RSS at most 55 MiB (${m.process.slice('statefork master, '.length)})`, `${m.rssMiB.toFixed(1)} MiB`, verdict(m.rssMiB <= 55)]);
    const cpu = Math.max(m.idleCpuPercent ?? 0, m.loadCpuPercent ?? 0);
    rows.push([
      `master CPU at most 0.2% idle and under load (${m.process.slice('statefork master, '.length)})`,
      `${pct(m.idleCpuPercent)} idle, ${pct(m.loadCpuPercent ?? null)} under load`,
      verdict(cpu <= 0.2),
    ]);
  }
  for (const app of ['hono', 'h3'] as const) {
    const f = fetch?.filter((r) => r.app === app);
    if (!f?.length) continue;
    const ratio = f.find((r) => r.form === 'fetch form')!.rps / f.find((r) => r.form.startsWith('request listener (getRequestListener)'))!.rps;
    rows.push([`fetch form (${app}) at least 0.95x the adapter used directly`, `${ratio.toFixed(2)}x`, verdict(ratio >= 0.95)]);
  }
  for (const load of ['keep-alive', 'new connection'] as const) {
    if (!run.ownListen) break;
    const ratio = listenRatio(run.ownListen, load);
    rows.push([`Express by its own app.listen() within 3% of the same app exported (${load})`, `${ratio.toFixed(3)}x`, verdict(Math.abs(ratio - 1) <= 0.03)]);
  }
  const sfReload = (reload ?? []).filter((r) => r.contender === 'statefork');
  for (const r of sfReload) {
    const pm2 = reload!.find((x) => x.contender === 'pm2 cluster' && x.load === r.load)!;
    rows.push([
      `req/s during ${s.reloads} reloads (${r.load}) at least pm2's`,
      `${(r.rps / pm2.rps).toFixed(2)}x (${int(r.rps)} vs ${int(pm2.rps)})`,
      verdict(r.rps >= pm2.rps),
    ]);
  }
  if (reload) {
    const failed = sfReload.reduce((a, r) => a + r.errors, 0);
    rows.push([
      `zero failed requests across ${s.reloads} reloads, both loads`,
      `${failed} (pm2: ${reload.filter((r) => r.contender !== 'statefork').reduce((a, r) => a + r.errors, 0)})`,
      verdict(failed === 0),
    ]);
  }
  if (startup && floorStart(startup)) {
    const ratio = startup.find((r) => r.contender === 'statefork')!.firstResponseMs / floorStart(startup)!;
    rows.push([`start-up to the first 200 with ${s.workers} workers at most 1.3x the floor's`, `${ratio.toFixed(2)}x`, verdict(ratio <= 1.3)]);
  }
  if (hung) {
    const worst = Math.max(...hung.map((r) => r.replacedMs));
    rows.push([`hung worker replaced within timeout + 1 s (${s.hungTimeout + 1} s)`, `worst ${ms(worst)}`, verdict(worst <= (s.hungTimeout + 1) * 1000)]);
  }
  return `### Targets\n\n${table(['target', 'measured', ''], rows)}`;
}

export function markdown(run: BenchRun, chart: string | null): string {
  const s = run.settings;
  const parts = [
    `Measured on ${run.date.slice(0, 10)} with \`${run.command}\` at commit \`${run.commit}\`: ${run.machine.cpu}, ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, Linux ${run.machine.kernel}, Node ${run.node}, ${Object.entries(
      run.tools,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Load and servers share the machine's cores.`,
  ];
  if (chart) parts.push(`![Throughput and failed requests during reloads](${chart})`);
  const targets = targetsTable(run);
  if (targets) parts.push(targets);
  if (run.throughput) parts.push(throughputTable(run.throughput, s, '1. Throughput and latency'));
  if (run.throughput22?.length) parts.push(throughputTable(run.throughput22, s, '1b. Throughput and latency on Node 22'));
  if (run.reload) parts.push(reloadTable(run.reload, s));
  if (run.stop) parts.push(stopTable(run.stop));
  if (run.hung) parts.push(hungTable(run.hung, s));
  if (run.footprint) parts.push(footprintTable(run.footprint, s));
  if (run.startup) parts.push(startupTable(run.startup, s));
  if (run.pipeline) parts.push(pipelineTable(run.pipeline));
  if (run.fetch) parts.push(fetchTable(run.fetch, s));
  if (run.longLived) parts.push(longLivedTable(run.longLived, s));
  if (run.adaptive) parts.push(adaptiveTable(run.adaptive, s));
  if (run.fleet) parts.push(fleetTable(run.fleet, s));
  if (run.ownListen) parts.push(ownListenTable(run.ownListen, s));
  if (run.http2) parts.push(http2Table(run.http2, s));
  return `${parts.join('\n\n')}\n`;
}
