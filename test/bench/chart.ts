/**
 * The bench's chart, drawn as plain SVG: (1) requests per second for every contender under both
 * loads, (2) failed requests during the reloads. Horizontal bars, one colour per load.
 */
import type { ReloadRow } from './sections/reload.js';
import type { ThroughputRow } from './sections/throughput.js';

const LOADS = [
  { load: 'keep-alive', colour: '#3b6ea8' },
  { load: 'new connection', colour: '#e0913a' },
] as const;
const LABEL_W = 170;
const BAR_W = 300;
const BAR_H = 14;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface Bar {
  group: string;
  load: string;
  value: number;
  text: string;
}

/** One panel: a title, then per group one bar per load, scaled to the panel's largest value. */
function panel(title: string, bars: Bar[], top: number): { svg: string; height: number } {
  const groups = [...new Set(bars.map((b) => b.group))];
  const max = Math.max(1, ...bars.map((b) => b.value));
  const out = [`<text x="10" y="${top + 16}" font-weight="bold">${esc(title)}</text>`];
  let y = top + 30;
  for (const group of groups) {
    out.push(`<text x="10" y="${y + BAR_H + 2}">${esc(group)}</text>`);
    for (const { load, colour } of LOADS) {
      const bar = bars.find((b) => b.group === group && b.load === load);
      if (!bar) continue;
      const w = Math.max(1, (BAR_W * bar.value) / max);
      out.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colour}"/>`);
      out.push(`<text x="${LABEL_W + w + 5}" y="${y + BAR_H - 3}">${esc(bar.text)}</text>`);
      y += BAR_H + 2;
    }
    y += 8;
  }
  return { svg: out.join('\n'), height: y - top };
}

export function chart(throughput: ThroughputRow[], reload: ReloadRow[], reloads: number): string {
  const one = panel(
    'Requests per second (higher is better)',
    throughput.map((r) => ({ group: r.contender, load: r.load, value: r.rps, text: Math.round(r.rps).toLocaleString('en-US') })),
    0,
  );
  const two = panel(
    `Failed requests during ${reloads} reloads (lower is better)`,
    reload.map((r) => ({ group: r.contender, load: r.load, value: r.errors, text: `${r.errors} of ${r.requests.toLocaleString('en-US')}` })),
    one.height + 10,
  );
  const legendY = one.height + two.height + 30;
  const legend = LOADS.map(
    ({ load, colour }, i) =>
      `<rect x="${LABEL_W + i * 150}" y="${legendY - 10}" width="12" height="12" fill="${colour}"/><text x="${LABEL_W + i * 150 + 18}" y="${legendY}">${load}</text>`,
  ).join('\n');
  const height = legendY + 12;
  const width = LABEL_W + BAR_W + 130;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${one.svg}
${two.svg}
${legend}
</svg>
`;
}
