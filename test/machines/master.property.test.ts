/**
 * Property-based tests on top of the generated paths: random sequences of up to 50 world events
 * and signals, chosen among what the world could really produce at each step, against the
 * master machine in the simulated world. Every invariant must hold at every step.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { MasterSettings } from '../../machines/master.context.js';
import { candidates, describeEvent, MODEL_SETTINGS } from './model/candidates.js';
import { World } from './model/world.js';

function runSequence(settings: MasterSettings, picks: number[], upgrades = false): void {
  const world = new World(settings);
  const taken: string[] = [];
  for (const pick of picks) {
    const options = candidates(world.actor.getSnapshot(), upgrades);
    if (!options.length) return; // halted
    const event = options[pick % options.length];
    taken.push(describeEvent(event));
    try {
      world.deliver(event);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n  after: ${taken.join(' → ')}`);
    }
  }
}

describe('master machine, property-based (random signal and world sequences)', () => {
  it('holds every invariant for random sequences of up to 50 events', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 50 }), (workers, picks) =>
        runSequence({ ...MODEL_SETTINGS, workers }, picks),
      ),
      { numRuns: 1500 },
    );
  });

  it('holds them through hot upgrades too, by hand (WINCH, QUIT, HUP) or --upgrade-auto', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.boolean(), fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 50 }), (workers, upgradeAuto, picks) =>
        runSequence({ ...MODEL_SETTINGS, workers, upgradeAuto }, picks, true),
      ),
      { numRuns: 1500 },
    );
  });

  it('holds them too when signals dominate (bursts of HUP, TTIN, TTOU)', () => {
    const signalHeavy = fc.array(fc.oneof(fc.constant(0), fc.constant(5), fc.constant(7), fc.nat({ max: 1000 })), { maxLength: 50 });
    fc.assert(
      fc.property(signalHeavy, (picks) => runSequence(MODEL_SETTINGS, picks)),
      { numRuns: 1000 },
    );
  });
});
