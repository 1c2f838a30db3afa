/**
 * npm run bench: every section in one run, on this machine, side by side. A full run writes
 * test/bench/results/ (a JSON file per run; latest.md and latest.svg) and the README's benchmark
 * block, on Node 24. `--node 26` runs it all on another Node line. `--quick` (short runs) and
 * `--only` (some sections) write to a temporary folder instead, unless `--publish` asks for the
 * run's own README block, one per Node line (bench-node24, bench-node26: the lean figures of
 * `--only throughput,footprint,startup --publish` on each line). `--report FILE` renders a saved
 * run again (after a change to the report's layout).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chart } from './chart.js';
import { markdown, type BenchRun } from './report.js';
import { killEverything } from './servers.js';
import { FULL, QUICK } from './settings.js';
import { requireWrk } from './wrk.js';
import { throughput, throughput22 } from './sections/throughput.js';
import { fetchForm } from './sections/fetch.js';
import { reload } from './sections/reload.js';
import { stopUnderLoad } from './sections/stop.js';
import { hungWorker } from './sections/hung.js';
import { footprint } from './sections/footprint.js';
import { startup } from './sections/startup.js';
import { pipeline } from './sections/pipeline.js';
import { longLived } from './sections/long-lived.js';
import { adaptive } from './sections/adaptive.js';
import { fleet } from './sections/fleet.js';
import { ownListen } from './sections/own-listen.js';
import { http2Section } from './sections/http2.js';
import { killAll as killPrometheus } from '../helpers/prometheus.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECTIONS = {
  throughput,
  throughput22,
  fetch: fetchForm,
  reload,
  stop: stopUnderLoad,
  hung: hungWorker,
  footprint,
  startup,
  pipeline,
  longLived,
  adaptive,
  fleet,
  ownListen,
  http2: http2Section,
} as const;
type Section = keyof typeof SECTIONS;
const USAGE =
  'usage: npm run bench [-- --node 24|26] [-- --publish] [-- --quick] [-- --only throughput,throughput22,fetch,reload,stop,hung,footprint,startup,pipeline,longLived,adaptive,fleet,ownListen,http2] [-- --report FILE.json]';

/**
 * `--node 26`: the whole bench on another Node line (every contender runs on the bench's own
 * Node): the bench runs itself again on that line's binary, from the node-26 dev dependency.
 * Without it, Node 24 (npm run bench starts it on node-24).
 */
const LINES = ['22', '24', '26'];
function onNodeLine(argv: string[]): string[] {
  const at = argv.indexOf('--node');
  if (at < 0) return argv;
  const line = argv[at + 1];
  if (!LINES.includes(line)) fail(`--node takes ${LINES.join(', ')}, not '${line ?? ''}'; ${USAGE}`);
  const rest = [...argv.slice(0, at), ...argv.slice(at + 2)];
  if (process.versions.node.split('.')[0] === line) return rest;
  const node = join(ROOT, `node_modules/node-${line}/bin/node`);
  const r = spawnSync(node, [fileURLToPath(import.meta.url), ...rest], { stdio: 'inherit' });
  if (r.error) fail(`cannot run Node ${line} at ${node} (${r.error.message}): run npm ci`);
  process.exit(r.status ?? 1);
}

function parseArgs(argv: string[]): { quick: boolean; only: Section[] | null; report: string | null; publishLine: boolean } {
  let quick = false;
  let publishLine = false;
  let only: Section[] | null = null;
  let report: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--publish') publishLine = true;
    else if (argv[i] === '--report' && argv[i + 1]) report = argv[++i];
    else if (argv[i] === '--only' && argv[i + 1]) {
      only = argv[++i].split(',') as Section[];
      const unknown = only.filter((s) => !(s in SECTIONS));
      if (unknown.length) fail(`unknown section '${unknown.join(',')}'; ${USAGE}`);
    } else fail(`unknown argument '${argv[i]}'; ${USAGE}`);
  }
  return { quick, only, report, publishLine };
}

function fail(message: string): never {
  process.stderr.write(`statefork bench: ${message}\n`);
  process.exit(2);
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const version = (cmd: string, args: string[], pattern: RegExp) => {
  try {
    return pattern.exec(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? '?';
  } catch (e) {
    return pattern.exec((e as { stdout?: string }).stdout ?? '')?.[1] ?? '?';
  }
};

/** The README block a run is written into: a full run on Node 24 the main one; `--publish` runs one per Node line. */
const blockOf = (run: BenchRun): string => (run.command.includes('--publish') ? `bench-node${run.node.slice(1).split('.')[0]}` : 'bench');

/**
 * Writes a run's files: a full run's (on Node 24) or a `--publish` run's to test/bench/results/
 * and the README, others to a temporary folder.
 */
function publish(run: BenchRun, full: boolean): void {
  const dir = full ? join(ROOT, 'test/bench/results') : mkdtempSync(join(tmpdir(), 'statefork-bench-'));
  mkdirSync(dir, { recursive: true });
  const name = blockOf(run) === 'bench' ? 'latest' : `latest-${blockOf(run).slice('bench-'.length)}`;
  const svg = run.throughput && run.reload ? chart(run.throughput, run.reload, run.settings.reloads) : null;
  writeFileSync(join(dir, `${run.date.slice(0, 10)}-${run.commit.split(' ')[0]}-${run.node}.json`), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), markdown(run, svg ? `${name}.svg` : null));
  if (svg) writeFileSync(join(dir, `${name}.svg`), svg);
  if (full) {
    // docs/benchmarks.md shows the latest full run, its chart linked from the results folder.
    const readmePath = join(ROOT, 'docs/benchmarks.md');
    const readme = readFileSync(readmePath, 'utf8');
    const block = new RegExp(`(<!-- ${blockOf(run)}:start -->\\n)[\\s\\S]*?(<!-- ${blockOf(run)}:end -->)`);
    if (!block.test(readme)) fail(`docs/benchmarks.md has no <!-- ${blockOf(run)}:start --> ... <!-- ${blockOf(run)}:end --> block`);
    writeFileSync(
      readmePath,
      readme.replace(block, (_, a: string, b: string) => `${a}${markdown(run, svg ? `../test/bench/results/${name}.svg` : null)}${b}`),
    );
  }
  process.stderr.write(`[bench] results in ${dir}${full ? ' and docs/benchmarks.md' : ''}\n`);
}

const { quick, only, report, publishLine } = parseArgs(onNodeLine(process.argv.slice(2)));
if (report) {
  let saved: BenchRun | null = null;
  try {
    saved = JSON.parse(readFileSync(report, 'utf8')) as BenchRun;
  } catch (e) {
    fail(`cannot read the saved run ${report}: ${(e as Error).message}`);
  }
  publish(saved, saved.command === 'npm run bench' || saved.command.includes('--publish'));
  process.exit(0);
}
try {
  requireWrk();
} catch (e) {
  fail((e as Error).message);
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    killPrometheus();
    void killEverything().then(() => process.exit(130));
  });

const settings = quick ? QUICK : FULL;
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const run: BenchRun = {
  date: new Date().toISOString(),
  command: `npm run bench${process.versions.node.startsWith('24.') ? '' : ` -- --node ${process.versions.node.split('.')[0]}`}${quick ? ' -- --quick' : ''}${only ? ` -- --only ${only.join(',')}` : ''}${publishLine ? ' -- --publish' : ''}`,
  machine: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release() },
  node: process.version,
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''),
  tools: {
    wrk: version('wrk', ['--version'], /wrk (\S+)/),
    prometheus: version('prometheus', ['--version'], /version (\S+)/),
    pm2: JSON.parse(readFileSync(join(ROOT, 'node_modules/pm2/package.json'), 'utf8')).version,
  },
  settings,
};
try {
  for (const name of only ?? (Object.keys(SECTIONS) as Section[])) {
    progress(`${name}...`);
    (run as unknown as Record<string, unknown>)[name] = await SECTIONS[name](settings, progress);
  }
} catch (e) {
  killPrometheus();
  await killEverything();
  fail(`a section failed: ${(e as Error).stack ?? e}`);
}

// A full run is the README's on Node 24; on every line, --publish writes the run's own block.
publish(run, publishLine || (!quick && !only && process.versions.node.startsWith('24.')));
