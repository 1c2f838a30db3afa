import { describe, expect, it } from 'vitest';
import { inheritedSockets, isNewMaster, oldMasterPid } from '../../../../src/master/sockets/upgrade.js';
import { ENV } from '../../../../machines/protocol.js';

describe('hot upgrade variables, as the new master reads them', () => {
  it('takes each inherited fd with the bind it was made for, and removes the variables', () => {
    const env: NodeJS.ProcessEnv = {
      STATEFORK_FD: '3,4,5,6',
      STATEFORK_FD_BINDS: JSON.stringify(['127.0.0.1:8000', 'unix:/run/app.sock', 'fd://3', 'proxy:127.0.0.1:8001']),
      KEEP: '1',
    };
    expect(inheritedSockets(env, 77)).toEqual([
      { fd: 3, spec: { kind: 'tcp', host: '127.0.0.1', port: 8000, text: '127.0.0.1:8000', proxy: false } },
      { fd: 4, spec: { kind: 'unix', path: '/run/app.sock', text: 'unix:/run/app.sock', proxy: false } },
      { fd: 5, spec: { kind: 'fd', fd: 3, text: 'fd://3', proxy: false } },
      // A PROXY protocol bind stays one in the new master.
      { fd: 6, spec: { kind: 'tcp', host: '127.0.0.1', port: 8001, text: 'proxy:127.0.0.1:8001', proxy: true } },
    ]);
    expect(env).toEqual({ KEEP: '1' });
  });

  it('without STATEFORK_FD_BINDS each fd stands for itself; an empty list is no sockets (--reuse-port)', () => {
    expect(inheritedSockets({ STATEFORK_FD: '3' }, 77)).toEqual([{ fd: 3, spec: { kind: 'fd', fd: 3, text: 'fd://3', proxy: false } }]);
    expect(inheritedSockets({ STATEFORK_FD: '' }, 77)).toEqual([]);
    expect(inheritedSockets({}, 77)).toBeNull();
    expect(inheritedSockets({}, null)).toBeNull();
  });

  it('outside a hot upgrade the variables are refused, with one line naming them and the fix', () => {
    const env: NodeJS.ProcessEnv = { STATEFORK_FD: '3', STATEFORK_FD_BINDS: '["unix:/etc/passwd"]' };
    expect(() => inheritedSockets(env, null)).toThrow(
      /^STATEFORK_FD is set, but this is not a hot upgrade \(no STATEFORK_UPGRADE_FROM naming the parent master, with its channel\).*unset it to start normally$/,
    );
    expect(env).toEqual({});
    expect(() => inheritedSockets({ STATEFORK_FD_BINDS: '[]' }, null)).toThrow(/^STATEFORK_FD_BINDS is set, but this is not a hot upgrade/);
    expect(() => inheritedSockets({ STATEFORK_FD_BINDS: '[]' }, 77)).toThrow(/^STATEFORK_FD_BINDS is set without STATEFORK_FD/);
  });

  it('refuses malformed values with the variable named and how to get out of it', () => {
    for (const fds of ['3,x', '2', '3,,4', '-3']) {
      expect(() => inheritedSockets({ STATEFORK_FD: fds }, 77)).toThrow(
        new RegExp(`^invalid STATEFORK_FD '${fds}': expected fd numbers of 3 or more.*unset it to start normally$`),
      );
    }
    expect(() => inheritedSockets({ STATEFORK_FD: '3', STATEFORK_FD_BINDS: '[' }, 77)).toThrow(/STATEFORK_FD_BINDS is not JSON/);
  });

  it('knows the old master only as its parent, with the channel to it (a stray variable is not an upgrade)', () => {
    const env: NodeJS.ProcessEnv = { [ENV.upgradeFrom]: String(process.ppid) };
    // The test runner's worker may have an IPC channel: the answer follows process.send.
    expect(isNewMaster(env)).toBe(Boolean(process.send));
    expect(oldMasterPid(env)).toBe(process.send ? process.ppid : null);
    expect(env).toEqual({});
    expect(isNewMaster(env)).toBe(false);
    expect(oldMasterPid({ [ENV.upgradeFrom]: 'abc' })).toBeNull();
    // A pid that is not the parent's is not the old master, channel or not.
    expect(oldMasterPid({ [ENV.upgradeFrom]: String(process.ppid + 1) })).toBeNull();
  });
});
