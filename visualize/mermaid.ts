/** Mermaid `stateDiagram-v2` text of a machine's shape (GitHub renders it in the README). */
import type { MachineShape, StateShape } from './graph.js';

const idOf = (path: string) => path.replace(/\./g, '_');

export function toMermaid(shape: MachineShape): string {
  const lines = ['stateDiagram-v2'];
  const emit = (s: StateShape, indent: string) => {
    if (s.initial) lines.push(`${indent}[*] --> ${idOf(s.initial)}`);
    for (const child of s.children) {
      if (child.children.length) {
        lines.push(`${indent}state "${child.key}" as ${idOf(child.id)} {`);
        emit(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else lines.push(`${indent}state "${child.key}" as ${idOf(child.id)}`);
      if (child.final) lines.push(`${indent}${idOf(child.id)} --> [*]`);
    }
  };
  emit(shape.root, '  ');
  for (const e of shape.edges) lines.push(`  ${idOf(e.from)} --> ${idOf(e.to)}: ${e.label.replace(/:/g, ' ')}`);
  if (shape.everywhere.length && shape.root.initial)
    lines.push(`  note right of ${idOf(shape.root.initial)} : in every state - ${shape.everywhere.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
