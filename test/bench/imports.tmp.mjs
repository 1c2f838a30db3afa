// RSS and time after each import, in order, in a fresh process (after a GC).
const mods = process.argv.slice(2);
const rss = () => { globalThis.gc?.(); return process.memoryUsage.rss() / 1048576; };
let last = rss();
console.log(`start ${last.toFixed(1)} MiB`);
for (const m of mods) {
  const t = performance.now();
  await import(m);
  const now = rss();
  console.log(`${(now - last).toFixed(1).padStart(5)} MiB ${(performance.now() - t).toFixed(1).padStart(6)} ms  ${m}`);
  last = now;
}
console.log(`total ${last.toFixed(1)} MiB`);
