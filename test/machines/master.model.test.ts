/**
 * Model-based tests of signal sequences: paths generated from the real master machine (xstate/graph)
 * replayed against that machine wired to a simulated world, with invariants after every step.
 */
import { describe, expect, it } from 'vitest';
import { getShortestPaths } from 'xstate/graph';
import { masterMachine } from '../../machines/master.machine.js';
import { stateName } from '../../src/transition-log.js';
import { candidates, describeEvent, MODEL_SETTINGS, serialize, serializeEvent, type MasterSnapshot } from './model/candidates.js';
import { World } from './model/world.js';
import { recordLevel1 } from './model/coverage.js';

/**
 * Traversal bounds: beyond three tracked workers or four spawns a path is not explored further.
 * Mutation testing runs every test once per mutant, so it uses a smaller bound (MODEL_BOUND).
 */
const MAX_SPAWNS = Number(process.env.MODEL_BOUND ?? 4);
export const STOP_WHEN = (s: MasterSnapshot) => s.context.workers.length > 3 || s.context.nextId > MAX_SPAWNS;

const paths = getShortestPaths(masterMachine, {
  events: candidates as never,
  serializeState: serialize as never,
  serializeEvent: serializeEvent as never,
  input: { settings: MODEL_SETTINGS, now: 0 },
  stopWhen: STOP_WHEN as never,
  limit: 100_000,
});

describe('master machine, model-based (level 1: simulated world)', () => {
  it(`generates a bounded set of paths (${paths.length})`, () => {
    expect(paths.length).toBeGreaterThan(MAX_SPAWNS < 4 ? 100 : 1000);
    expect(paths.length).toBeLessThan(50_000);
  });

  it('every generated path, and every next step from its end, holds every invariant and matches the model', () => {
    const transitions = new Set<string>();
    const states = new Set<string>();
    for (const path of paths) {
      const world = new World(MODEL_SETTINGS);
      states.add(world.state());
      for (const step of path.steps.slice(1)) {
        try {
          world.deliver(step.event);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  path: ${path.steps.map((s) => describeEvent(s.event as never)).join(' → ')}`);
        }
        const to = world.state();
        expect(to).toBe(stateName((step.state as MasterSnapshot).value));
        states.add(to);
      }
      for (const t of world.transitions) transitions.add(t);
      // Shortest paths reach every state but not every edge: try each possible next event too.
      for (const event of candidates(world.actor.getSnapshot())) {
        const branch = world.fork();
        const seen = branch.transitions.length;
        try {
          branch.deliver(event);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  path: ${[...path.steps.map((s) => describeEvent(s.event as never)), describeEvent(event)].join(' → ')}`);
        }
        for (const t of branch.transitions.slice(seen)) transitions.add(t);
        states.add(branch.state());
      }
    }
    recordLevel1(states, transitions);
    expect(states).toContain('halted');
  });
});
