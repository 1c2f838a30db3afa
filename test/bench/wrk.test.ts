/**
 * The bench's reading of wrk's output: the numbers every table stands on. The sample is wrk
 * 4.1's real output from a run with socket errors and non-2xx answers.
 */
import { describe, expect, it } from 'vitest';
import { parseWrk } from './wrk.js';

const SAMPLE = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms    1.31ms  31.13ms   91.32%
    Req/Sec    50.12k     4.02k   57.31k    71.00%
  Latency Distribution
     50%  612.00us
     75%    1.06ms
     90%    2.16ms
     99%    1.20s
  498765 requests in 10.01s, 62.31MB read
  Socket errors: connect 3, read 12, write 1, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:  49827.67
Transfer/sec:      6.22MB
`;

describe('parseWrk', () => {
  it('reads requests, duration, latency percentiles in their units, and every kind of error', () => {
    const r = parseWrk(SAMPLE);
    expect(r.requests).toBe(498765);
    expect(r.seconds).toBeCloseTo(10.01);
    expect(r.rps).toBeCloseTo(498765 / 10.01);
    expect(r.p50Ms).toBeCloseTo(0.612);
    expect(r.p99Ms).toBe(1200);
    expect([r.connectErrors, r.readErrors, r.writeErrors, r.timeouts, r.non2xx]).toEqual([3, 12, 1, 2, 7]);
    expect(r.errors).toBe(25);
  });

  it('counts no errors when wrk prints no error lines', () => {
    const clean = SAMPLE.split('\n')
      .filter((l) => !/Socket errors|Non-2xx/.test(l))
      .join('\n');
    expect(parseWrk(clean).errors).toBe(0);
  });

  it('refuses output without a result rather than reporting zeros', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/no result/);
  });
});
