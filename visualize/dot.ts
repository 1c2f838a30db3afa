/**
 * Graphviz DOT of a machine's shape: compound states are clusters; an edge from or to a compound
 * state is drawn from or to its cluster (compound=true), anchored on its initial state.
 */
import type { MachineShape, StateShape } from './graph.js';

const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
const node = (path: string) => q(path || 'root');

export function toDot(shape: MachineShape): string {
  const byId = new Map<string, StateShape>();
  const index = (s: StateShape) => { byId.set(s.id, s); s.children.forEach(index); };
  index(shape.root);
  /** The leaf an edge attaches to: compound states attach through their initial state. */
  const anchor = (id: string): string => {
    const s = byId.get(id)!;
    return s.children.length ? anchor(s.initial ?? s.children[0].id) : id;
  };
  const lines = [`digraph ${q(shape.name)} {`, '  compound=true; rankdir=LR; fontname="Helvetica";',
    '  node [shape=box style="rounded,filled" fillcolor="#f5f7fa" color="#4a5568" fontname="Helvetica" fontsize=11];',
    '  edge [fontname="Helvetica" fontsize=9 color="#4a5568"];', '  start [shape=point width=0.15 label=""];'];
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
  if (shape.everywhere.length) lines.push(`  everywhere [shape=note fillcolor="#fffbea" label=${q(`in every state: ${shape.everywhere.join(', ')}`)}];`);
  for (const e of shape.edges) {
    const attrs = [`label=${q(e.label)}`];
    if (byId.get(e.from)!.children.length) attrs.push(`ltail=${q(`cluster_${e.from}`)}`);
    if (byId.get(e.to)!.children.length && e.from !== e.to) attrs.push(`lhead=${q(`cluster_${e.to}`)}`);
    lines.push(`  ${node(anchor(e.from))} -> ${node(anchor(e.to))} [${attrs.join(' ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
