// Private dirty memory (what one more process really costs) and RSS after importing the modules given.
import { readFileSync } from 'node:fs';
for (const m of process.argv.slice(2)) await import(m);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 300));
globalThis.gc?.();
const roll = readFileSync('/proc/self/smaps_rollup', 'utf8');
const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(roll)[1]) / 1024;
console.log(`private ${kb('Private_Dirty').toFixed(1)} rss ${kb('Rss').toFixed(1)}  ${process.argv.slice(2).map((m) => m.split('/').pop()).join(' + ')}`);
