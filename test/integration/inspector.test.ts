/**
 * The live inspector against a real master: HTTP and SSE here; the page itself in headless
 * Chromium in test/visualize/inspector.browser.test.ts.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTransition, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

/** Reads SSE data messages until `until` says stop (or the deadline passes). */
function readEvents(url: string, until: (steps: any[]) => boolean, timeoutMs = 15_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const steps: any[] = [];
    const req = http.get(url, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (data && !message.startsWith('event:')) steps.push(JSON.parse(data));
        }
        if (until(steps)) {
          req.destroy();
          resolve(steps);
        }
      });
    });
    req.on('error', (e) => (e.message === 'socket hang up' ? resolve(steps) : reject(e)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out; got ${steps.length} steps`));
    }, timeoutMs);
  });
}

const masterStates = (steps: any[]) => steps.filter((s) => s.master.from !== s.master.to).map((s) => s.master.to);

describe('live inspector', () => {
  it('serves the page and diagrams, streams every step live, and records them; a replay shows the same states', async () => {
    const record = join(mkdtempSync(join(tmpdir(), 'statefork-rec-')), 'steps.jsonl');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--inspector', '127.0.0.1:0', '--record', record, 'hello.cjs']);
    const url = m.records.find((x) => x.inspector)!.inspector as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(url);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('statefork inspector');
    expect((await get(`${url}master.svg`)).body).toContain('<svg');
    // History first, then live: a HUP seen through the stream (the history covers a HUP that
    // lands before the stream is connected).
    const live = readEvents(`${url}events`, (steps) => masterStates(steps).filter((s) => s === 'serving.running').length >= 2);
    const from = m.records.length;
    m.signal('SIGHUP');
    await m.waitFor(isTransition('master', 'serving.running'), { from });
    const steps = await live;
    expect(masterStates(steps)).toEqual(['booting', 'serving.running', 'serving.reloading.configuring', 'serving.reloading.rolling', 'serving.running']);
    const last = steps.at(-1);
    expect(last.workers.filter((w: any) => w.phase === 'ready' && w.generation === 2)).toHaveLength(2);
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);

    const recorded = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(masterStates(recorded)).toEqual([...masterStates(steps), 'stopping.graceful', 'halted']);
    const replay = startCli(['visualize', '--replay', record, '--inspector', '127.0.0.1:0']);
    await new Promise<void>((ok) => replay.child.stdout!.on('data', () => ok()));
    const replayUrl = /at (http:\S+)/.exec(replay.stdout)![1];
    const replayed = await readEvents(`${replayUrl}events`, (s) => s.length >= recorded.length);
    expect(masterStates(replayed)).toEqual(masterStates(recorded));
    replay.signal('SIGTERM');
    expect((await replay.exited).code).toBe(0);
  });

  it('an inspector address in use: exit 1 naming the fix', async () => {
    const blocker = http.createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => blocker.once('listening', ok));
    const { port } = blocker.address() as { port: number };
    const m = startCli(['-w', '1', '-b', '127.0.0.1:0', '--inspector', `127.0.0.1:${port}`, 'hello.cjs']);
    expect((await m.exited).code).toBe(1);
    blocker.close();
    expect(m.stderrText().trim().split('\n').at(-1)).toBe(
      `statefork: error: cannot serve the inspector at 127.0.0.1:${port}: EADDRINUSE; choose another --inspector address`,
    );
  });
});
