/** One bench run as data (the JSON file) and as the markdown tables the README shows. */
import type { ThroughputRow } from './sections/throughput.js';
import type { ReloadRow } from './sections/reload.js';
import type { StopRow } from './sections/stop.js';
import type { HungRow } from './sections/hung.js';
import type { FootprintRow } from './sections/footprint.js';
import type { StartupRow } from './sections/startup.js';
import type { PipelineRow } from './sections/pipeline.js';
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
  reload?: ReloadRow[];
  stop?: StopRow[];
  hung?: HungRow[];
  footprint?: FootprintRow[];
  startup?: StartupRow[];
  pipeline?: PipelineRow[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? '–' : n < 10 ? `${n.toFixed(2)} ms` : `${int(n)} ms`);
const pct = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)}%`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function throughputTable(rows: ThroughputRow[], s: BenchSettings): string {
  const base = (load: string) => rows.find((r) => r.contender === 'statefork' && r.load === load)!.rps;
  return `### 1. Throughput and latency\n\n${s.workers} workers each (the single process: one), wrk with ${s.connections} connections, ${s.rounds} rounds of ${s.seconds} s per contender taking turns (all contenders up at once), after a ${s.warmupSeconds} s warm-up; requests summed over the rounds, latency from the median round. "rounds" is the range of the rounds' req/s: differences smaller than it are this machine's noise. "master CPU" is the supervising process's CPU during the run (% of one core): it should be near zero when the master is out of the data path. "spread" is the lowest and highest share of requests one worker served.\n\n${table(
    ['contender', 'load', 'req/s', 'rounds', 'vs statefork', 'p50', 'p99', 'errors', 'master CPU', 'spread'],
    rows.map((r) => [r.contender, r.load, int(r.rps), r.roundRps ? `${int(Math.min(...r.roundRps))}–${int(Math.max(...r.roundRps))}` : '–', `${(r.rps / base(r.load)).toFixed(2)}x`, ms(r.p50Ms), ms(r.p99Ms), r.errors, pct(r.masterCpuPercent), r.shares.length > 1 ? `${r.shares[0].toFixed(0)}–${r.shares[r.shares.length - 1].toFixed(0)}%` : '–']),
  )}`;
}

function reloadTable(rows: ReloadRow[], s: BenchSettings): string {
  return `### 2. Reload under load\n\n${s.reloads} consecutive reloads (statefork: HUP; pm2: \`pm2 reload\`) while wrk sends requests on ${s.connections} connections. "swap" is the time from the reload command until every worker is new (pm2's includes starting its CLI, about a third of a second).\n\n${table(
    ['contender', 'load', 'reloads', 'failed requests', 'of which connect errors', 'requests', 'req/s meanwhile', 'p99', 'swap median', 'swap worst'],
    rows.map((r) => [r.contender, r.load, r.reloads, `**${r.errors}**`, r.connectErrors, int(r.requests), int(r.rps), ms(r.p99Ms), ms(r.swapMedianMs), ms(r.swapMaxMs)]),
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
    ],
  )}`;
}

function footprintTable(rows: FootprintRow[], s: BenchSettings): string {
  const libs = rows.find((r) => r.process.startsWith('bare node +'))!.rssMiB;
  return `### 5. Footprint\n\nResident memory and CPU of each process over ${s.idleSeconds} idle seconds, all measured side by side (servers with ${s.workers} workers; the workers are not counted).\n\n${table(
    ['process', 'RSS', 'vs bare node + the same libraries', 'idle CPU'],
    rows.map((r) => [r.process, `${r.rssMiB.toFixed(1)} MiB`, `${(r.rssMiB / libs).toFixed(2)}x`, pct(r.idleCpuPercent)]),
  )}`;
}

function startupTable(rows: StartupRow[], s: BenchSettings): string {
  return `### 6. Start and scale\n\n"first 200": from launch (pm2: from \`pm2 start\`, its daemon included) to the first answer. "scale": from ${s.workers} to ${s.scaleTo} workers, all ready (statefork: one TTIN at a time; pm2: \`pm2 scale\`). "swap": a reload with ${s.swapWorkers} workers until every one is new.\n\n${table(
    ['contender', 'first 200', `scale ${s.workers} → ${s.scaleTo}`, `swap ${s.swapWorkers} workers`],
    rows.map((r) => [r.contender, ms(r.firstResponseMs), ms(r.scaleMs), ms(r.swapMs)]),
  )}`;
}

function pipelineTable(rows: PipelineRow[]): string {
  return `### 7. Event pipeline\n\nSynthetic heartbeat ticks and child exits (no processes) through the runtime's RxJS merge into the real master machine with 8 workers; spawn and kill effects answer at once. A real master sees about one tick a second.\n\n${table(
    ['variant', 'events', 'events/s'],
    rows.map((r) => [r.variant, int(r.events), `**${int(r.eventsPerSecond)}**`]),
  )}`;
}

/** The issue's targets, each with what this run measured and whether it is met. */
function targetsTable(run: BenchRun): string | null {
  const { throughput: tp, reload, hung, footprint, settings: s } = run;
  if (!tp || !reload || !hung || !footprint) return null;
  const row = (who: string, load: string) => tp.find((r) => r.contender === who && r.load === load)!;
  const rps = (who: string, load: string) => row(who, load).rps;
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  // Two contenders whose rounds' ranges overlap are even on this machine: the difference is noise.
  const overlap = (who: string, load: string) => {
    const [a, b] = [row('statefork', load).roundRps, row(who, load).roundRps];
    return Boolean(a && b) && Math.max(...a) >= Math.min(...b) && Math.max(...b) >= Math.min(...a);
  };
  const atLeast = (who: string, load: string) => (rps('statefork', load) >= rps(who, load) ? 'met' : overlap(who, load) ? 'even (within the rounds\' spread)' : '**not met**');
  const above = (whos: string[], load: string) => (whos.every((w) => rps('statefork', load) > rps(w, load) && !overlap(w, load)) ? 'met'
    : whos.every((w) => rps('statefork', load) > rps(w, load) || overlap(w, load)) ? 'above or even (within the rounds\' spread)' : '**not met**');
  const rows: string[][] = [];
  for (const load of ['keep-alive', 'new connection']) {
    const sf = rps('statefork', load);
    const vs = (who: string) => sf / rps(who, load);
    rows.push([`throughput (${load}) at least cluster SCHED_NONE's`, `${vs('cluster SCHED_NONE').toFixed(2)}x`, atLeast('cluster SCHED_NONE', load)]);
    rows.push([`throughput (${load}) above pm2's and cluster round-robin's`, `${vs('pm2 cluster').toFixed(2)}x, ${vs('cluster round-robin').toFixed(2)}x`, above(['pm2 cluster', 'cluster round-robin'], load)]);
  }
  const masterCpu = Math.max(...tp.filter((r) => r.contender === 'statefork').map((r) => r.masterCpuPercent ?? 0));
  rows.push(['master CPU near zero under load (below 1% of a core)', pct(masterCpu), verdict(masterCpu < 1)]);
  const failed = reload.filter((r) => r.contender === 'statefork').reduce((a, r) => a + r.errors, 0);
  const pm2Failed = reload.filter((r) => r.contender !== 'statefork').reduce((a, r) => a + r.errors, 0);
  rows.push([`zero failed requests across ${s.reloads} reloads, both loads`, `${failed} (pm2: ${pm2Failed})`, verdict(failed === 0)]);
  const worst = Math.max(...hung.map((r) => r.replacedMs));
  rows.push([`hung worker replaced within timeout + 1 s (${s.hungTimeout + 1} s)`, `worst ${ms(worst)}`, verdict(worst <= (s.hungTimeout + 1) * 1000)]);
  const ratio = footprint.find((r) => r.process === 'statefork master')!.rssMiB / footprint.find((r) => r.process.startsWith('bare node +'))!.rssMiB;
  rows.push(['master RSS within 1.5x of bare node + the same libraries', `${ratio.toFixed(2)}x`, verdict(ratio <= 1.5)]);
  return `### Targets

${table(['target', 'measured', ''], rows)}`;
}

export function markdown(run: BenchRun, chart: string | null): string {
  const s = run.settings;
  const parts = [
    `Measured on ${run.date.slice(0, 10)} with \`${run.command}\` at commit \`${run.commit}\`: ${run.machine.cpu}, ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, Linux ${run.machine.kernel}, Node ${run.node}, ${Object.entries(run.tools).map(([k, v]) => `${k} ${v}`).join(', ')}. Load and servers share the machine's cores.`,
  ];
  if (chart) parts.push(`![Throughput and failed requests during reloads](${chart})`);
  const targets = targetsTable(run);
  if (targets) parts.push(targets);
  if (run.throughput) parts.push(throughputTable(run.throughput, s));
  if (run.reload) parts.push(reloadTable(run.reload, s));
  if (run.stop) parts.push(stopTable(run.stop));
  if (run.hung) parts.push(hungTable(run.hung, s));
  if (run.footprint) parts.push(footprintTable(run.footprint, s));
  if (run.startup) parts.push(startupTable(run.startup, s));
  if (run.pipeline) parts.push(pipelineTable(run.pipeline));
  return `${parts.join('\n\n')}\n`;
}
