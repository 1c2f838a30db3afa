import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fileChanges$ } from '../../../src/adapters/file-changes.js';

describe('fileChanges$', () => {
  it('reports a burst of real writes as one change listing the files, and ignores unwatched ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statefork-watch-'));
    const other = mkdtempSync(join(tmpdir(), 'statefork-watch-'));
    writeFileSync(join(other, 'extra.json'), '{}');
    writeFileSync(join(other, 'ignored.txt'), '');
    const change = firstValueFrom(
      fileChanges$(
        [
          { path: dir, isDirectory: true },
          { path: join(other, 'extra.json'), isDirectory: false },
        ],
        100,
      ),
    );
    writeFileSync(join(other, 'ignored.txt'), 'x');
    writeFileSync(join(dir, 'app.js'), '1');
    writeFileSync(join(dir, 'app.js'), '2');
    writeFileSync(join(other, 'extra.json'), '{"a":1}');
    expect((await change).sort()).toEqual([join(dir, 'app.js'), join(other, 'extra.json')].sort());
  });
});
