import { fstatSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { closeHeartbeatFile, createHeartbeatFile, readBeat, touch } from '../../../src/adapters/heartbeat.js';
import { ticks$ } from '../../../src/adapters/ticks.js';

describe('heartbeat file', () => {
  it('is an unlinked file whose stamp moves with every touch and stays put otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-hb-'));
    const fd = createHeartbeatFile(dir);
    expect(readdirSync(dir)).toEqual([]);
    expect(fstatSync(fd).nlink).toBe(0);
    touch(fd);
    const first = readBeat(fd);
    await new Promise((ok) => setTimeout(ok, 5));
    expect(readBeat(fd)).toBe(first);
    touch(fd);
    expect(readBeat(fd)).not.toBe(first);
    closeHeartbeatFile(fd);
    expect(readBeat(fd)).toBeUndefined();
  });

  it('fails clearly on a directory it cannot write', () => {
    expect(() => createHeartbeatFile('/nonexistent/dir')).toThrow(/ENOENT/);
  });
});

describe('ticks$', () => {
  it('emits a tick carrying the current stamps every period (virtual time)', () => {
    let n = 0;
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ expectObservable }) => {
      expectObservable(
        ticks$(1000, () => ({ 1: ++n })),
        '^ 3500ms !',
      ).toBe('1000ms a 999ms b 999ms c', {
        a: { type: 'TICK', beats: { 1: 1 } },
        b: { type: 'TICK', beats: { 1: 2 } },
        c: { type: 'TICK', beats: { 1: 3 } },
      });
    });
  });
});
