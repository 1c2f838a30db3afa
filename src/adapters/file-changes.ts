/**
 * Changes to watched files as an Observable, debounced: an editor's save (often a write, a
 * rename and a chmod) is one change. It only reports; the master turns a change into a reload.
 */
import { fs } from '../node-builtins.js';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { buffer, debounceTime, map, Observable, share } from './rx-operators.js';

const { watch } = fs;

/** Watches each directory once, keeping the changes to the files asked for (or any, for a directory). */
export function fileChanges$(paths: Array<{ path: string; isDirectory: boolean }>, debounceMs: number): Observable<string[]> {
  return new Observable<string>((subscriber) => {
    const watchers: FSWatcher[] = [];
    const byDir = new Map<string, Set<string> | null>();
    for (const { path, isDirectory } of paths) {
      const dir = isDirectory ? path : dirname(path);
      if (isDirectory) byDir.set(dir, null);
      else if (byDir.get(dir) !== null) byDir.set(dir, (byDir.get(dir) ?? new Set()).add(basename(path)));
    }
    for (const [dir, files] of byDir) {
      const watcher = watch(dir, (_event, name) => {
        if (!name || name.startsWith('.')) return;
        if (!files || files.has(name)) subscriber.next(`${dir}/${name}`);
      });
      watcher.on('error', (e) => subscriber.error(e));
      watchers.push(watcher);
    }
    return () => watchers.forEach((w) => w.close());
  }).pipe(share(), (names$) =>
    names$.pipe(
      // One change per quiet period, listing every file touched in it.
      buffer(names$.pipe(debounceTime(debounceMs))),
      map((names) => [...new Set(names)]),
    ),
  );
}
