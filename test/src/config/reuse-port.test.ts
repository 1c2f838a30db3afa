import { describe, expect, it } from 'vitest';
import { parseBind } from '../../../src/config/bind.js';
import { checkReusePort } from '../../../src/config/reuse-port.js';
import { checkFlag } from '../../../src/config/options.js';

// As normalize() does: the flag checked to be a boolean, then what --reuse-port needs.
const field = <T>(_key: unknown, check: () => T) => check();
const run = (binds: string[], reusePort: unknown = true) => checkReusePort(checkFlag('reusePort', reusePort, field), binds.map(parseBind), field);

describe('--reuse-port checks', () => {
  it('accepts a fixed TCP port; off means off', () => {
    expect(run(['127.0.0.1:8000', 'unix:/tmp/x.sock'])).toBe(true);
    expect(run(['127.0.0.1:0'], false)).toBe(false);
  });

  it('refuses port 0, no TCP bind at all, and a value that is not a boolean', () => {
    expect(() => run(['127.0.0.1:0'])).toThrow(/needs a fixed port \(got 127\.0\.0\.1:0\)/);
    expect(() => run(['unix:/tmp/x.sock'])).toThrow(/needs a HOST:PORT bind/);
    expect(() => run(['127.0.0.1:8000'], 'yes')).toThrow(/invalid reusePort 'yes': expected true or false/);
  });
});
