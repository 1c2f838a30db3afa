import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/control/protocol.js';
import { scaleTarget } from '../../../src/control/commands.js';
import { controlDir, defaultControlSocket, locateControlSocket } from '../../../src/control/paths.js';

describe('control protocol', () => {
  it('takes a versioned request with a known command, and echoes its id', () => {
    expect(parseRequest('{"v":1,"id":7,"command":"scale","args":{"workers":"+2"}}')).toEqual({ v: 1, id: 7, command: 'scale', args: { workers: '+2' } });
    expect(parseRequest('{"v":1,"command":"status"}')).toEqual({ v: 1, id: null, command: 'status', args: {} });
  });

  it('answers bad input with an error naming the problem', () => {
    const code = (line: string) => (parseRequest(line) as { error: { code: string } }).error.code;
    expect(code('{nope')).toBe('bad-json');
    expect(code('[1]')).toBe('bad-request');
    expect(code('"status"')).toBe('bad-request');
    expect(code('{"command":"status"}')).toBe('bad-request');
    expect(code('{"v":2,"command":"status"}')).toBe('bad-request');
    expect(code('{"v":1,"command":"explode"}')).toBe('unknown-command');
    expect(code('{"v":1,"command":"scale","args":[1]}')).toBe('bad-args');
    expect(parseRequest('{"v":1,"id":"a","command":"explode"}')).toMatchObject({
      id: 'a',
      ok: false,
      error: { message: expect.stringMatching(/^unknown command "explode": expected one of status, workers, scale/) },
    });
  });

  it('scale takes N, +N or -N, never below one worker', () => {
    expect(scaleTarget('+2', 3)).toBe(5);
    expect(scaleTarget('-2', 3)).toBe(1);
    expect(scaleTarget(' 4 ', 3)).toBe(4);
    expect(scaleTarget(6, 3)).toBe(6);
    for (const bad of ['x', '', '+', '1.5', null, {}]) expect(() => scaleTarget(bad, 3)).toThrow(/expected N, \+N or -N/);
    expect(() => scaleTarget('-3', 3)).toThrow('cannot scale to 0 workers: the least is 1');
    expect(() => scaleTarget('0', 3)).toThrow(/the least is 1/);
  });
});

describe('control socket paths', () => {
  it('one per master, named by its pid, in a directory of its user', () => {
    expect(controlDir({}, 0)).toBe('/run/statefork');
    expect(controlDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/statefork');
    expect(controlDir({}, 1000)).toMatch(/statefork-1000$/);
    expect(defaultControlSocket(42, '/run/statefork')).toBe('/run/statefork/42.sock');
  });

  it('finds the socket from --control-socket, from --pid, or as the only live master in the directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-ctl-'));
    expect(locateControlSocket({ controlSocket: '/x.sock' })).toBe('/x.sock');
    writeFileSync(join(dir, 'app.pid'), `${process.pid}\n`);
    expect(locateControlSocket({ pid: join(dir, 'app.pid') })).toBe(defaultControlSocket(process.pid));
    expect(() => locateControlSocket({ pid: join(dir, 'missing.pid') })).toThrow(
      /cannot read pidfile .*missing\.pid: ENOENT; is the master running with --pid/,
    );
    writeFileSync(join(dir, 'bad.pid'), 'x');
    expect(() => locateControlSocket({ pid: join(dir, 'bad.pid') })).toThrow(/holds no pid/);
    expect(() => locateControlSocket({}, [dir])).toThrow(/no statefork master found in .*; give --control-socket PATH or --pid FILE/);
    // A dead master's socket file does not count, nor one whose pid another program has now;
    // a running master's does.
    const masters = [0, 1].map(() => spawn('sleep', ['30'], { argv0: 'statefork: master [test]', stdio: 'ignore' }));
    try {
      writeFileSync(join(dir, '999999999.sock'), '');
      writeFileSync(join(dir, `${process.pid}.sock`), '');
      expect(() => locateControlSocket({}, [dir])).toThrow(/no statefork master found/);
      writeFileSync(join(dir, `${masters[0].pid}.sock`), '');
      expect(locateControlSocket({}, [dir])).toBe(join(dir, `${masters[0].pid}.sock`));
      writeFileSync(join(dir, `${masters[1].pid}.sock`), '');
      expect(() => locateControlSocket({}, [dir])).toThrow(/^2 masters are running .*choose one with --control-socket PATH or --pid FILE$/);
    } finally {
      for (const p of masters) p.kill();
    }
  });
});
