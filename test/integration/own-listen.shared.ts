/**
 * What "runs unchanged" means for an app that calls listen() itself, checked the same way for
 * every app and framework (own-listen.test.ts, frameworks.test.ts): served on statefork's bind
 * by 2 workers that both answer; a HUP under keep-alive load fails no request and leaves only
 * new workers answering; a slow request in flight across the HUP completes; TERM exits 0 and
 * leaves no worker behind.
 */
import { expect } from 'vitest';
import { eventually, isAlive, isTransition, startServing, type Running } from '../helpers/cli.js';
import { get, pidOf, requestLoop } from '../helpers/http.js';

export interface UnchangedApp {
  /** The app's entry, as a user would pass it to statefork. */
  entry: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** More statefork options. */
  args?: string[];
  /** The path that answers "... from <pid>" (default /), and its slow form (default /?ms=N). */
  path?: string;
  slowPath?: (ms: number) => string;
  node?: string;
  /** How long the app may take to start (a framework's first boot). */
  bootMs?: number;
}

/** Fresh connections, a few at a time, until both workers have answered. */
export async function bothAnswer(url: string, path: string, pids: number[]): Promise<void> {
  const answered = new Set<number>();
  for (let round = 0; round < 40 && answered.size < 2; round++) {
    const replies = await Promise.all(Array.from({ length: 4 }, () => get(`${url}${path}`)));
    for (const r of replies) {
      expect(r.status).toBe(200);
      answered.add(pidOf(r.body));
    }
  }
  expect([...answered].sort()).toEqual([...pids].sort());
}

export async function servesUnchanged(app: UnchangedApp): Promise<Running> {
  const path = app.path ?? '/';
  const slowPath = app.slowPath ?? ((ms: number) => `/?ms=${ms}`);
  const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--keep-alive', '2', ...(app.args ?? []), app.entry], {
    cwd: app.cwd,
    env: app.env,
    node: app.node,
    ...(app.bootMs ? { bootMs: app.bootMs } : {}),
  });
  const url = m.url();
  const oldPids = m.workerPids();
  expect(oldPids).toHaveLength(2);
  await bothAnswer(url, path, oldPids);

  // A slow request in flight across the HUP, and keep-alive clients throughout.
  const slow = get(`${url}${slowPath(1500)}`, { timeoutMs: 20_000 });
  let done = false;
  const loop = requestLoop(`${url}${path}`, { concurrency: 4, keepAlive: true, stop: () => done, maxMs: 60_000 });
  const from = m.records.length;
  m.signal('SIGHUP');
  await m.waitFor(isTransition('master', 'serving.running'), { from, what: 'the reload to complete', timeoutMs: app.bootMs ?? 20_000 });
  await m.waitForCount((x) => x.machine === 'master.worker' && x.to === 'exited', 2, { from, what: 'both old workers to exit' });
  done = true;
  const result = await loop;
  expect(result.failures).toEqual([]);
  expect(result.ok).toBeGreaterThan(20);
  const slowReply = await slow;
  expect(slowReply.status).toBe(200);
  expect(oldPids).toContain(pidOf(slowReply.body));
  const newPids = m.workerPids();
  expect(newPids.some((p) => oldPids.includes(p))).toBe(false);
  await bothAnswer(url, path, newPids);

  m.signal('SIGTERM');
  expect((await m.exited).code).toBe(0);
  await eventually(() => newPids.every((p) => !isAlive(p)), 2000, 'no worker left after TERM');
  return m;
}
