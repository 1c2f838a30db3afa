/**
 * A machine's shape, read from its own definition (never drawn by hand): the states, nested as
 * defined, and every transition with its event and guard. Eventless transitions are labelled
 * "always"; transitions that only run actions are kept as self-loops.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface StateShape {
  id: string; // path below the root, e.g. "serving.reloading.rolling"
  key: string;
  initial: string | null; // id of the initial child, for compound states
  final: boolean;
  children: StateShape[];
}

export interface EdgeShape {
  from: string;
  to: string;
  label: string; // "TTOU [canShrink]", "always [allReady]"
}

export interface MachineShape {
  name: string;
  root: StateShape;
  edges: EdgeShape[];
  /** Events the root handles with actions only: the same in every state. */
  everywhere: string[];
}

const pathOf = (node: AnyStateNode, rootId: string) => node.id.slice(rootId.length + 1);

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'guard';
}

export function shapeOf(machine: AnyStateMachine): MachineShape {
  const rootId = machine.root.id;
  const edges: EdgeShape[] = [];
  const visit = (node: AnyStateNode): StateShape => {
    const id = node === machine.root ? '' : pathOf(node, rootId);
    const transitions = [...(node.transitions as Map<string, Array<{ target?: AnyStateNode[]; guard?: unknown; eventType: string }>>).values()].flat();
    const always = (node.always ?? []) as Array<{ target?: AnyStateNode[]; guard?: unknown }>;
    for (const t of [...transitions, ...always.map((a) => ({ ...a, eventType: 'always' }))]) {
      const guard = guardName(t.guard);
      const label = guard ? `${t.eventType} [${guard}]` : t.eventType;
      for (const target of t.target?.length ? t.target : [node]) edges.push({ from: id, to: pathOf(target, rootId), label });
    }
    const children = Object.values(node.states as Record<string, AnyStateNode>).map(visit);
    const initialTarget = (node.initial as { target?: readonly AnyStateNode[] } | undefined)?.target?.[0];
    return { id, key: node.key, initial: initialTarget ? pathOf(initialTarget, rootId) : null, final: node.type === 'final', children };
  };
  const root = visit(machine.root);
  const everywhere = [...new Set(edges.filter((e) => e.from === '' && e.to === '').map((e) => e.label))];
  // One edge per (from, to) pair, with its labels joined: a diagram stays readable.
  const merged = new Map<string, EdgeShape>();
  for (const e of edges.filter((x) => x.from !== '' || x.to !== '')) {
    const key = `${e.from}->${e.to}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...e });
    else if (!seen.label.split(', ').includes(e.label)) seen.label += `, ${e.label}`;
  }
  return { name: machine.id, root, edges: [...merged.values()], everywhere };
}

export function allStates(shape: MachineShape): StateShape[] {
  const out: StateShape[] = [];
  const walk = (s: StateShape) => {
    if (s.id) out.push(s);
    s.children.forEach(walk);
  };
  walk(shape.root);
  return out;
}
