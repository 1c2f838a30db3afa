import { describe, expect, it } from 'vitest';
import { inheritedSockets, isNewMaster, oldMasterPid, UPGRADE_ENV } from '../../../src/master/upgrade.js';

describe('hot upgrade variables, as the new master reads them', () => {
  it('takes each inherited fd with the bind it was made for, and removes the variables', () => {
    const env: NodeJS.ProcessEnv = { STATEFORK_FD: '3,4,5', STATEFORK_FD_BINDS: JSON.stringify(['127.0.0.1:8000', 'unix:/run/app.sock', 'fd://3']), KEEP: '1' };
    expect(inheritedSockets(env)).toEqual([
      { fd: 3, spec: { kind: 'tcp', host: '127.0.0.1', port: 8000, text: '127.0.0.1:8000' } },
      { fd: 4, spec: { kind: 'unix', path: '/run/app.sock', text: 'unix:/run/app.sock' } },
      { fd: 5, spec: { kind: 'fd', fd: 3, text: 'fd://3' } },
    ]);
    expect(env).toEqual({ KEEP: '1' });
  });

  it('without STATEFORK_FD_BINDS each fd stands for itself; an empty list is no sockets (--reuse-port)', () => {
    expect(inheritedSockets({ STATEFORK_FD: '3' })).toEqual([{ fd: 3, spec: { kind: 'fd', fd: 3, text: 'fd://3' } }]);
    expect(inheritedSockets({ STATEFORK_FD: '' })).toEqual([]);
    expect(inheritedSockets({})).toBeNull();
  });

  it('refuses malformed values with the variable named and how to get out of it', () => {
    for (const fds of ['3,x', '2', '3,,4', '-3']) {
      expect(() => inheritedSockets({ STATEFORK_FD: fds })).toThrow(new RegExp(`^invalid STATEFORK_FD '${fds}': expected fd numbers of 3 or more.*unset it to start normally$`));
    }
    expect(() => inheritedSockets({ STATEFORK_FD: '3', STATEFORK_FD_BINDS: '[' })).toThrow(/STATEFORK_FD_BINDS is not JSON/);
  });

  it('knows the old master only with the channel to it (a stray variable is not an upgrade)', () => {
    const env: NodeJS.ProcessEnv = { [UPGRADE_ENV.from]: '123' };
    // The test runner's worker may have an IPC channel: the answer follows process.send.
    expect(isNewMaster(env)).toBe(Boolean(process.send));
    expect(oldMasterPid(env)).toBe(process.send ? 123 : null);
    expect(env).toEqual({});
    expect(isNewMaster(env)).toBe(false);
    expect(oldMasterPid({ [UPGRADE_ENV.from]: 'abc' })).toBeNull();
  });
});
