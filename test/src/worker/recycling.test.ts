import { describe, expect, it } from 'vitest';
import { recycling } from '../../../src/worker/recycling.js';

const limits = (over: Partial<{ maxRequests: number; maxRequestsJitter: number; maxMemoryMb: number }> = {}) => ({
  maxRequests: 0,
  maxRequestsJitter: 0,
  maxMemoryMb: 0,
  ...over,
});

describe('worker recycling limits', () => {
  it('asks once, at exactly the request limit', () => {
    const asks: unknown[] = [];
    const r = recycling(limits({ maxRequests: 3 }), (...a) => asks.push(a));
    expect(r.requestLimit).toBe(3);
    r.served(1);
    r.served(2);
    expect(asks).toEqual([]);
    r.served(3);
    r.served(4);
    expect(asks).toEqual([['max-requests', { requests: 3, limit: 3 }]]);
  });

  it('draws the jitter per worker, uniformly from 0..J inclusive', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) seen.add(recycling(limits({ maxRequests: 10, maxRequestsJitter: 3 }), () => {}).requestLimit);
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
  });

  it('asks when the resident memory exceeds the limit, in MiB, once', () => {
    const asks: unknown[] = [];
    const r = recycling(limits({ maxMemoryMb: 100 }), (...a) => asks.push(a));
    r.beat(100 * 2 ** 20);
    expect(asks).toEqual([]);
    r.beat(150 * 2 ** 20);
    r.beat(200 * 2 ** 20);
    expect(asks).toEqual([['max-memory', { rssMb: 150, limitMb: 100 }]]);
  });

  it('with every limit at 0, never asks', () => {
    const asks: unknown[] = [];
    const r = recycling(limits(), (...a) => asks.push(a));
    expect(r.requestLimit).toBe(0);
    r.served(1e9);
    r.beat(64 * 2 ** 30);
    expect(asks).toEqual([]);
  });

  it('one ask covers both limits: a worker is replaced once', () => {
    const asks: unknown[] = [];
    const r = recycling(limits({ maxRequests: 1, maxMemoryMb: 1 }), (...a) => asks.push(a));
    r.served(1);
    r.beat(2 ** 30);
    expect(asks).toHaveLength(1);
  });
});
