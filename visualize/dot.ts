/**
 * Graphviz DOT of a machine's shape: compound states are clusters; an edge from or to a compound
 * state is drawn from or to its cluster (compound=true), anchored on its initial state. Each edge
 * has the id `t:FROM:TO` (the states as defined, compound ones by their path) and a class per event
 * it is taken on (`ev_HUP`), so a page can mark the transition that just happened. `compact` (the inspector's) labels an edge with its first
 * event and how many more, and puts the whole list in its tooltip: a page-sized drawing stays legible.
 */
import type { MachineShape, StateShape } from './graph.js';

const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
const node = (path: string) => q(path || 'root');

/** "HUP, TERM, INT [x]" → "HUP +2": the first event, and a count of the rest. */
export function compactLabel(label: string): string {
  const events = label.split(', ');
  return events.length <= 2 ? label : `${events[0]} +${events.length - 1}`;
}

/** "HUP, WORKER_EXIT [x], always" → "ev_HUP ev_WORKER_EXIT ev_always": which events an edge is taken on, for a page to find it by its cause. */
export function eventClasses(label: string): string {
  return [...new Set(label.split(', ').map((e) => `ev_${e.split(' ')[0].replace(/[^A-Za-z0-9_]/g, '')}`))].join(' ');
}

export function toDot(shape: MachineShape, { compact = false } = {}): string {
  const byId = new Map<string, StateShape>();
  const index = (s: StateShape) => {
    byId.set(s.id, s);
    s.children.forEach(index);
  };
  index(shape.root);
  /** The leaf an edge attaches to: compound states attach through their initial state. */
  const anchor = (id: string): string => {
    const s = byId.get(id)!;
    return s.children.length ? anchor(s.initial ?? s.children[0].id) : id;
  };
  // Compact: larger state names and a tighter layout, as the drawing is scaled down to a panel.
  const lines = [
    `digraph ${q(shape.name)} {`,
    `  compound=true; rankdir=LR; fontname="Helvetica";${compact ? ' nodesep=0.15; ranksep=0.3;' : ''}`,
    `  node [shape=box style="rounded,filled" fillcolor="#f5f7fa" color="#4a5568" fontname="Helvetica" fontsize=${compact ? 15 : 11}];`,
    `  edge [fontname="Helvetica" fontsize=${compact ? 10 : 9} color="#4a5568"];`,
    '  start [shape=point width=0.15 label=""];',
  ];
  const emit = (s: StateShape, indent: string) => {
    for (const child of s.children) {
      if (child.children.length) {
        lines.push(`${indent}subgraph ${q(`cluster_${child.id}`)} {`, `${indent}  label=${q(child.key)}; style=rounded; color="#a0aec0";`);
        emit(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else lines.push(`${indent}${node(child.id)} [label=${q(child.key)}${child.final ? ' peripheries=2' : ''}];`);
    }
  };
  emit(shape.root, '  ');
  if (shape.root.initial) lines.push(`  start -> ${node(anchor(shape.root.initial))};`);
  if (shape.everywhere.length) {
    const all = `in every state: ${shape.everywhere.join(', ')}`;
    lines.push(
      `  everywhere [shape=note fillcolor="#fffbea" label=${q(compact ? `in every state: ${compactLabel(shape.everywhere.join(', '))}` : all)} tooltip=${q(all)}];`,
    );
  }
  for (const e of shape.edges) {
    const attrs = [
      `label=${q(compact ? compactLabel(e.label) : e.label)}`,
      `id=${q(`t:${e.from}:${e.to}`)}`,
      `class=${q(eventClasses(e.label))}`,
      `tooltip=${q(e.label)}`,
    ];
    if (byId.get(e.from)!.children.length) attrs.push(`ltail=${q(`cluster_${e.from}`)}`);
    if (byId.get(e.to)!.children.length && e.from !== e.to) attrs.push(`lhead=${q(`cluster_${e.to}`)}`);
    lines.push(`  ${node(anchor(e.from))} -> ${node(anchor(e.to))} [${attrs.join(' ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
