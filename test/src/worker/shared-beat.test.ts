import { describe, expect, it } from 'vitest';
import { delayToSharedBeat, onSharedBeat } from '../../../src/worker/shared-beat.js';

describe('the shared beat', () => {
  it('waits to the next multiple of the period', () => {
    expect(delayToSharedBeat(10_000, 1000)).toBe(1000);
    expect(delayToSharedBeat(10_001, 1000)).toBe(999);
    expect(delayToSharedBeat(10_600, 1000)).toBe(400);
    expect(delayToSharedBeat(10_750, 1000)).toBe(250);
  });

  it('skips to the one after when a beat came late by most of a period', () => {
    expect(delayToSharedBeat(10_751, 1000)).toBe(1249);
    expect(delayToSharedBeat(10_999, 1000)).toBe(1001);
  });

  it('fires on the monotonic clock multiples, once per period, until stopped', async () => {
    const period = 500;
    const fired: number[] = [];
    await new Promise<void>((done) => {
      const beat = onSharedBeat(period, () => {
        fired.push(Number(process.hrtime.bigint() / 1_000_000n));
        if (fired.length === 8) {
          beat.stop();
          done();
        }
      });
    });
    const slots = fired.map((t) => Math.floor(t / period));
    for (let i = 1; i < slots.length; i++) expect(slots[i]).toBeGreaterThan(slots[i - 1]);
    // setTimeout is never early, sometimes late on a busy host: most beats land just past a multiple
    // (a timer of random phase would put a beat this close one time in six).
    const onTime = fired.filter((t) => t % period < 80).length;
    expect(onTime).toBeGreaterThanOrEqual(5);
  });
});
