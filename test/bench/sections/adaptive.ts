/**
 * (10) Adaptive worker count: a step load on an app that spends 1 ms of CPU per request
 * (test/fixtures/apps/cpu.cjs), light, then saturating (a new connection per request, so that
 * added workers get their share), then light again, against `--workers 1:N` and a fixed
 * `--workers N` (and a fixed 1 for the light phase's memory). Measured: the peak's p99 (wrk),
 * the reaction (the load step to the new worker's ready record), when the count is back at MIN
 * after the peak, the workers' memory in the quiet phases, failed requests in each phase.
 */
import { fileURLToPath } from 'node:url';
import { cpuDuring, rssMiB } from '../proc.js';
import { startStatefork, type Server } from '../servers.js';
import type { BenchSettings } from '../settings.js';
import { startWrk, type WrkResult } from '../wrk.js';

export interface AdaptiveRow {
  run: string;
  peakRps: number;
  peakP99Ms: number;
  /** From the peak's first request to the first added worker ready; null: none added. */
  reactionMs: number | null;
  /** From the peak's end to the count back at MIN; null: not measured (fixed) or not within the wait. */
  backAtMinMs: number | null;
  cooldownSeconds: number;
  quietBeforeMiB: number;
  quietAfterMiB: number;
  /** The master's CPU (% of one core) during the first light phase: what sampling the load costs. */
  masterCpuLight: number | null;
  errors: { before: number; peak: number; after: number };
  decisions: string[];
}

const LIGHT = fileURLToPath(new URL('../../../../test/bench/light.lua', import.meta.url));
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const workersMiB = async (s: Server) => (await s.workerPids()).reduce((n, pid) => n + rssMiB(pid), 0);
const errors = (r: WrkResult) => r.errors;

async function stepLoad(server: Server, run: string, phases: { quiet: number; peak: number; after: number }, cooldown: number): Promise<AdaptiveRow> {
  const light = (seconds: number) => startWrk(server.url, { connections: 2, script: LIGHT }, seconds);
  const { result: before, cpuPercent: masterCpuLight } = await cpuDuring(server.masterPid, () => light(phases.quiet).done);
  const quietBeforeMiB = await workersMiB(server);
  const from = server.records.length;
  const stepAt = Date.now();
  const peak = await startWrk(server.url, { connections: 32, close: true, threads: 1 }, phases.peak).done;
  const peakEnd = Date.now();
  const lightAfter = light(phases.after);
  // The count is back at MIN when the last worker retired for the quiet exits.
  let backAtMinMs: number | null = null;
  const decisions: string[] = [];
  const after = await (async () => {
    const deadline = Date.now() + phases.after * 1000;
    let seenDown = false;
    while (Date.now() < deadline) {
      const down = server.records.slice(from).find((r) => r.event === 'scale' && r.direction === 'down');
      if (down && !seenDown) seenDown = true;
      if (seenDown && backAtMinMs === null && (await server.workerPids()).length === 1) backAtMinMs = Date.now() - peakEnd;
      await sleep(100);
    }
    return lightAfter.done;
  })();
  const quietAfterMiB = await workersMiB(server);
  for (const r of server.records.slice(from))
    if (r.event === 'scale' && r.direction !== 'none') decisions.push(`${r.direction} ${r.from}→${r.to} (${r.reason})`);
  const added = server.records.slice(from).find((r) => r.msg === 'worker ready');
  return {
    run,
    peakRps: peak.rps,
    peakP99Ms: peak.p99Ms,
    reactionMs: added ? added.time - stepAt : null,
    backAtMinMs,
    cooldownSeconds: cooldown,
    quietBeforeMiB,
    quietAfterMiB,
    masterCpuLight,
    errors: { before: errors(before), peak: errors(peak), after: errors(after) },
    decisions,
  };
}

export async function adaptive(s: BenchSettings, progress: (line: string) => void): Promise<AdaptiveRow[]> {
  const n = s.workers;
  const quick = s.seconds < 5;
  const cooldown = quick ? 5 : 30;
  const phases = quick ? { quiet: 3, peak: 6, after: cooldown + 6 } : { quiet: 10, peak: 30, after: cooldown + 10 };
  const rows: AdaptiveRow[] = [];
  for (const [run, workers] of [
    [`fixed --workers ${n}`, String(n)],
    [`--workers 1:${n}`, `1:${n}`],
    ['fixed --workers 1', '1'],
  ] as const) {
    // The defaults but for a quick run's shorter windows (quiet 2 s, cooldown 5 s).
    const windows = quick ? ['--scale-down-after', '2', '--scale-cooldown', String(cooldown)] : [];
    const server = await startStatefork({ workers: n, app: '../../fixtures/apps/cpu.cjs', args: ['--workers', workers, ...windows] });
    try {
      const row = await stepLoad(server, run, phases, cooldown);
      progress(
        `adaptive, ${run}: peak ${Math.round(row.peakRps)} req/s p99 ${row.peakP99Ms} ms, reaction ${row.reactionMs} ms, back at MIN ${row.backAtMinMs} ms, quiet ${row.quietBeforeMiB}/${row.quietAfterMiB} MiB, master CPU ${row.masterCpuLight}%, errors ${JSON.stringify(row.errors)}`,
      );
      rows.push(row);
    } finally {
      await server.kill();
    }
  }
  return rows;
}

const ms = (n: number | null) => (n === null ? '–' : `${Math.round(n).toLocaleString('en-US')} ms`);

/** The section's table, and the targets with what this run measured. */
export function adaptiveTable(rows: AdaptiveRow[], s: BenchSettings): string {
  const fixed = rows.find((r) => r.run === `fixed --workers ${s.workers}`);
  const one = rows.find((r) => r.run === 'fixed --workers 1');
  const ad = rows.find((r) => r.run.startsWith('--workers 1:'));
  const table = [
    "| run | peak req/s | peak p99 | reaction | back at MIN after the peak | workers' RSS, quiet before / after | master CPU, light | failed (light / peak / light) | decisions |",
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.run} | ${Math.round(r.peakRps).toLocaleString('en-US')} | ${ms(r.peakP99Ms)} | ${ms(r.reactionMs)} | ${r.backAtMinMs === null ? '–' : `${(r.backAtMinMs / 1000).toFixed(1)} s (cooldown ${r.cooldownSeconds} s)`} | ${r.quietBeforeMiB.toFixed(0)} / ${r.quietAfterMiB.toFixed(0)} MiB | ${r.masterCpuLight === null ? '–' : `${r.masterCpuLight.toFixed(2)}%`} | ${r.errors.before} / ${r.errors.peak} / ${r.errors.after} | ${r.decisions.join(', ') || '–'} |`,
    ),
  ].join('\n');
  const targets: string[] = [];
  if (fixed && ad && one) {
    const p99 = ad.peakP99Ms / fixed.peakP99Ms;
    const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
    targets.push(
      `| peak p99 within 1.2x of fixed ${s.workers} | ${p99.toFixed(2)}x (${ms(ad.peakP99Ms)} vs ${ms(fixed.peakP99Ms)}) | ${verdict(p99 <= 1.2)} |`,
    );
    const back = ad.backAtMinMs !== null && ad.backAtMinMs <= ad.cooldownSeconds * 1000;
    targets.push(
      `| back at MIN within the cooldown (${ad.cooldownSeconds} s) after the peak | ${ad.backAtMinMs === null ? 'not within the run' : `${(ad.backAtMinMs / 1000).toFixed(1)} s`} | ${verdict(back)} |`,
    );
    // MIN's memory: a fixed 1 through the same phases (a worker that served a peak has grown).
    const mem = Math.max(ad.quietBeforeMiB / one.quietBeforeMiB, ad.quietAfterMiB / one.quietAfterMiB);
    targets.push(
      `| quiet memory at MIN's (fixed 1: ${one.quietBeforeMiB.toFixed(0)} / ${one.quietAfterMiB.toFixed(0)} MiB) | ${ad.quietBeforeMiB.toFixed(0)} / ${ad.quietAfterMiB.toFixed(0)} MiB (${mem.toFixed(2)}x at most) | ${verdict(mem <= 1.1)} |`,
    );
    targets.push(`| no failed request during the scale-down | ${ad.errors.after} | ${verdict(ad.errors.after === 0)} |`);
  }
  return `### 10. Adaptive worker count\n\nA step load on an app that spends 1 ms of CPU per request: light (2 keep-alive connections, 20 ms between requests), then saturating (32 connections, a new one per request, so added workers get their share), then light again. "reaction" runs from the peak's first request to the added worker's ready record; "back at MIN" from the peak's end to the last retired worker gone.\n\n${table}${targets.length ? `\n\n| target | measured | |\n|---|---|---|\n${targets.join('\n')}` : ''}`;
}
