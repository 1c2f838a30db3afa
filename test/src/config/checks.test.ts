/**
 * The value checkers name what they were given, whatever it is: a config module may export any
 * value, a Symbol or an object included, and the error must name it rather than throw a
 * TypeError of its own (a template literal cannot hold a Symbol).
 */
import { describe, expect, it } from 'vitest';
import { checkPositiveInt, checkSeconds, checkString, shown } from '../../../src/config/checks.js';
import { checkWorkerCount } from '../../../src/config/worker-count.js';
import { checkTrustList } from '../../../src/config/trust-list.js';

describe('a bad value, named in the error', () => {
  it.each([
    ['a Symbol', Symbol('nine'), 'Symbol(nine)'],
    ['an object', { n: 4 }, '[object Object]'],
    ['null', null, 'null'],
    ['a number', -1, '-1'],
  ])('%s', (_kind, value, text) => {
    expect(shown(value)).toBe(text);
    expect(() => checkPositiveInt('workers', value)).toThrow(`invalid workers '${text}': expected a whole number of 1 or more (e.g. workers 4)`);
    expect(() => checkSeconds('timeout', value)).toThrow(`invalid timeout '${text}'`);
    expect(() => checkWorkerCount('workers', value)).toThrow(`invalid workers '${text}'`);
    expect(() => checkTrustList('forwardedAllowIps', value)).toThrow(/^invalid forwardedAllowIps/);
  });

  it('a string is shown as it is', () => {
    expect(() => checkString('name', '')).toThrow("invalid name '': expected a non-empty string");
  });
});
