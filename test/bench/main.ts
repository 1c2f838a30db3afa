/**
 * npm run bench: every section in one run, on this machine, side by side; writes the results
 * (JSON, markdown, SVG chart) to test/bench/results/ and the README's benchmark block.
 *   --quick          shorter runs, for a trial (the README is left alone)
 *   --only a,b       just these sections: throughput, reload, stop, hung, footprint, startup, pipeline
 */
import { throughput } from './sections/throughput.js';
import { FULL, QUICK } from './settings.js';
import { requireWrk } from './wrk.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const settings = quick ? QUICK : FULL;
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

requireWrk();
const rows = await throughput(settings, progress);
console.log(JSON.stringify(rows, null, 1));
