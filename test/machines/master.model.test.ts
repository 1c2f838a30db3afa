/**
 * Model-based tests of signal sequences: paths generated from the real master machine (xstate/graph)
 * replayed against that machine wired to a simulated world, with invariants after every step.
 */
import { describe, expect, it } from 'vitest';
import { getShortestPaths } from 'xstate/graph';
import { masterMachine } from '../../machines/master.machine.js';
import { stateName } from '../../machines/state-name.js';
import { ADAPTIVE_MODEL_SETTINGS, candidates, describeEvent, MODEL_SETTINGS, serialize, serializeEvent, type MasterSnapshot } from './model/candidates.js';
import { World } from './model/world.js';
import { recordLevel1 } from './model/coverage.js';

/**
 * Traversal bounds: beyond three tracked workers or four spawns a path is not explored further.
 * Mutation testing runs every test once per mutant, so it uses a smaller bound (MODEL_BOUND).
 */
const MAX_SPAWNS = Number(process.env.MODEL_BOUND ?? 4);
export const STOP_WHEN = (s: MasterSnapshot) => s.context.workers.length > 3 || s.context.nextId > MAX_SPAWNS;

/**
 * A master fault and a worker breaking the protocol can happen in any state, and each leads
 * straight to a stop or a kill: the traversal leaves them out (they would multiply its states),
 * and the walk below tries them as the next step from the end of every path, so every transition
 * they take is still taken. The property tests draw them inside random sequences.
 */
const INCIDENTS = new Set(['FAULT', 'WORKER_PROTOCOL_ERROR']);
const withoutIncidents = (events: ReturnType<typeof candidates>) => events.filter((e) => !INCIDENTS.has(e.type));

/** The shortest paths to every state the events reach, within the bounds. */
const traverse = (events: (s: MasterSnapshot) => ReturnType<typeof candidates>, settings: typeof MODEL_SETTINGS, stopWhen: (s: MasterSnapshot) => boolean) =>
  getShortestPaths(masterMachine, {
    events: ((s: MasterSnapshot) => withoutIncidents(events(s))) as never,
    serializeState: serialize,
    serializeEvent: serializeEvent,
    input: { settings, now: 0 },
    stopWhen: stopWhen,
    limit: 100_000,
  });

const paths = traverse((s) => candidates(s), MODEL_SETTINGS, STOP_WHEN);

/**
 * Hot upgrades multiply the state space by what the new master can be (none, started, running,
 * ready), so they get a traversal of their own with tighter bounds: USR2 from the first worker's
 * serving only, the target left at one, no recycling, at most two tracked workers and three spawns.
 */
const UPGRADE_STOP_WHEN = (s: MasterSnapshot) => s.context.workers.length > 2 || s.context.nextId > Math.min(3, MAX_SPAWNS);
const upgradeEvents = (s: MasterSnapshot) =>
  candidates(s, true).filter(
    (e) => e.type !== 'TTIN' && e.type !== 'WORKER_RECYCLE' && (e.type !== 'USR2' || s.context.nextId <= 2 || !stateName(s.value).startsWith('serving')),
  );
const upgradePaths = traverse(upgradeEvents, MODEL_SETTINGS, UPGRADE_STOP_WHEN);

/**
 * The adaptive count (--workers 1:2): busy, quiet and light samples beside every other event,
 * so scaling up and down, the cooldown, TTIN/TTOU and HUP during a scale, a reload while scaled
 * up, are walked. No hot upgrades or recycling here (they have their own traversals).
 */
const adaptiveEvents = (s: MasterSnapshot) => candidates(s, false, true).filter((e) => e.type !== 'WORKER_RECYCLE');
const adaptivePaths = traverse(adaptiveEvents, ADAPTIVE_MODEL_SETTINGS, STOP_WHEN);

describe('master machine, model-based (level 1: simulated world)', () => {
  it(`generates a bounded set of paths (${paths.length}, and ${upgradePaths.length} with hot upgrades)`, () => {
    expect(paths.length).toBeGreaterThan(MAX_SPAWNS < 4 ? 100 : 1000);
    expect(paths.length).toBeLessThan(50_000);
    expect(upgradePaths.length).toBeGreaterThan(MAX_SPAWNS < 4 ? 100 : 1000);
    expect(upgradePaths.length).toBeLessThan(50_000);
    expect(adaptivePaths.length).toBeGreaterThan(MAX_SPAWNS < 4 ? 100 : 1000);
    expect(adaptivePaths.length).toBeLessThan(50_000);
  });

  const transitions = new Set<string>();
  const states = new Set<string>();
  const scaled = new Set<string>();
  const walk = (all: typeof paths, next: (s: MasterSnapshot) => ReturnType<typeof candidates>, settings = MODEL_SETTINGS) => {
    for (const path of all) {
      const world = new World(settings);
      states.add(world.state());
      for (const step of path.steps.slice(1)) {
        try {
          world.deliver(step.event);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  path: ${path.steps.map((s) => describeEvent(s.event as never)).join(' → ')}`);
        }
        const to = world.state();
        expect(to).toBe(stateName(step.state.value));
        states.add(to);
      }
      for (const t of world.transitions) transitions.add(t);
      // Shortest paths reach every state but not every edge: try each possible next event too.
      for (const event of next(world.actor.getSnapshot())) {
        const branch = world.fork();
        const seen = branch.transitions.length;
        try {
          branch.deliver(event);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n  path: ${[...path.steps.map((s) => describeEvent(s.event as never)), describeEvent(event)].join(' → ')}`);
        }
        for (const t of branch.transitions.slice(seen)) transitions.add(t);
        for (const x of branch.scaled) scaled.add(x);
        states.add(branch.state());
      }
    }
  };

  it('every generated path, and every next step from its end, holds every invariant and matches the model', () => {
    walk(paths, (s) => candidates(s));
    expect(states).toContain('halted');
  });

  it('so does every path of an adaptive count (scaling up and down, the cooldown, TTIN/TTOU and HUP meanwhile)', () => {
    walk(adaptivePaths, adaptiveEvents, ADAPTIVE_MODEL_SETTINGS);
    // Both decisions were taken on the walk, not only possible.
    expect([...scaled].sort()).toEqual(['LOAD_SAMPLE(busy):1->2', 'LOAD_SAMPLE(quiet):2->1', 'LOAD_SAMPLE(surge):1->2']);
  });

  it('so does every path through a hot upgrade (WINCH, rollback, a new master that fails)', () => {
    walk(upgradePaths, upgradeEvents);
    expect(states).toContain('serving.handedOver');
    recordLevel1(states, transitions);
  });
});
