import { describe, expect, it } from 'vitest';
import { parseBind } from '../../../src/config/bind.js';
import { checkReusePort, nodeHasReusePort } from '../../../src/config/reuse-port.js';
import { checkFlag } from '../../../src/config/options.js';

// As normalize() does: the flag checked to be a boolean, then what --reuse-port needs.
const field = <T>(_key: unknown, check: () => T) => check();
const run = (binds: string[], version: string, reusePort: unknown = true) => checkReusePort(checkFlag('reusePort', reusePort, field), binds.map(parseBind), field, version);

describe('--reuse-port checks', () => {
  it('knows which Node versions have it', () => {
    expect(['20.20.2', '22.11.0', '21.9.0'].map((v) => nodeHasReusePort(v))).toEqual([false, false, false]);
    expect(['22.12.0', '22.23.3', '23.0.0', '24.21.0'].map((v) => nodeHasReusePort(v))).toEqual([true, true, true, true]);
  });

  it('accepts a fixed TCP port on a Node that has it; off means off', () => {
    expect(run(['127.0.0.1:8000', 'unix:/tmp/x.sock'], '22.12.0')).toBe(true);
    expect(run(['127.0.0.1:0'], '20.0.0', false)).toBe(false);
  });

  it('refuses an old Node, port 0, no TCP bind at all, and a value that is not a boolean', () => {
    expect(() => run(['127.0.0.1:8000'], '22.11.9')).toThrow(/needs Node 22\.12 or newer \(this is 22\.11\.9\)/);
    expect(() => run(['127.0.0.1:0'], '24.0.0')).toThrow(/needs a fixed port \(got 127\.0\.0\.1:0\)/);
    expect(() => run(['unix:/tmp/x.sock'], '24.0.0')).toThrow(/needs a HOST:PORT bind/);
    expect(() => run(['127.0.0.1:8000'], '24.0.0', 'yes')).toThrow(/invalid reusePort 'yes': expected true or false/);
  });
});
