/**
 * The inspector page in headless Chromium (Debian's chromium, driven by playwright-core) against a
 * real master: workers ready, TTIN, HUP, and a hung worker passing through the timeout states;
 * the dashboard at 1280x720 (legible diagrams, live heartbeats, the controls and their token);
 * a recording replayed with the scrubber, a crafted one shown as text. STATEFORK_SCREENSHOTS=DIR
 * (npm run screenshots) writes the README's screenshots there.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardUrl, startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const SHOTS = process.env.STATEFORK_SCREENSHOTS ? join(process.env.STATEFORK_SCREENSHOTS, '/') : OUT;
let browser: Browser | undefined;
afterAll(async () => browser?.close());

async function launch(): Promise<Browser> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

describe('inspector page in a browser', () => {
  it('shows the workers and the master move through their states, live', async () => {
    const browser = await launch();
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--timeout', '2', '--inspector', '127.0.0.1:0', 'hello.cjs']);
    const url = m.records.find((x) => x.inspector)!.inspector as string;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const readyCount = (n: number, generation?: number) =>
      page.waitForFunction(
        ([g, count]) =>
          [...document.querySelectorAll('#workers tr')].filter(
            (r) => (r as HTMLElement).dataset.phase === 'ready' && (g === null || r.children[2].textContent === String(g)),
          ).length === count,
        [generation ?? null, n] as const,
        { timeout: 15_000 },
      );
    await readyCount(2);
    for (let i = 0; i < 5; i++) await get(`${m.url()}/`);
    await page.waitForFunction(() => [...document.querySelectorAll('#workers td.requests')].reduce((n, td) => n + Number(td.textContent), 0) === 5, undefined, {
      timeout: 15_000,
    });
    expect(await page.textContent('#master-state')).toBe('serving.running');
    expect(await page.textContent('#master-svg g.node.current title')).toBe('serving.running');
    expect(await page.textContent('#worker-svg g.node.current title')).toBe('ready');

    m.signal('SIGTTIN');
    await readyCount(3);

    m.signal('SIGHUP');
    await page.waitForFunction(() => document.getElementById('timeline')!.textContent.includes('serving.reloading.rolling'), undefined, { timeout: 15_000 });
    await readyCount(3, 2);
    // The old generation drained away as the new one became ready.
    await page.waitForFunction(() => (document.getElementById('timeline')!.textContent.match(/ready → draining/g) ?? []).length >= 3, undefined, {
      timeout: 15_000,
    });
    await page.waitForFunction(() => document.querySelectorAll('#workers tr').length === 3, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('master-state')!.textContent === 'serving.running', undefined, { timeout: 15_000 });

    get(`${m.url()}/hang`).catch(() => {});
    await page.waitForFunction(() => /ready → aborting/.test(document.getElementById('timeline')!.textContent), undefined, { timeout: 15_000 });
    await page.waitForFunction(() => /aborting → (killed|exited)/.test(document.getElementById('timeline')!.textContent), undefined, { timeout: 15_000 });
    await readyCount(3, 2);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}inspector.png`, fullPage: true });
    m.signal('SIGTERM');
    const { code } = await m.exited;
    expect(
      code,
      m
        .stderrText()
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .join('\n') || JSON.stringify(m.records.slice(-5)),
    ).toBe(0);
  });

  it('the dashboard at 1280x720: legible diagrams, heartbeats under 2 s, the controls with the token; a replay steps through its recording', async () => {
    const browser = await launch();
    const record = join(mkdtempSync(join(tmpdir(), 'statefork-rec-')), 'steps.jsonl');
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--inspector', '127.0.0.1:0', '--inspector-controls', '--record', record, 'hello.cjs']);
    const link = await dashboardUrl(m);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{32}$/);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(link);
    await page.waitForFunction(
      () => [...document.querySelectorAll('#workers tr')].filter((r) => (r as HTMLElement).dataset.phase === 'ready').length === 2,
      undefined,
      { timeout: 15_000 },
    );
    // Legible without zooming: each machine whole in the page's width, its state names at 8 px or more.
    for (const id of ['master-svg', 'worker-svg']) {
      const sizes = await page.evaluate((id) => {
        const svg = document.querySelector(`#${id} svg`)!.getBoundingClientRect();
        const texts = [...document.querySelectorAll(`#${id} g.node text`)].map((t) => t.getBoundingClientRect().height);
        return { id, width: svg.width, smallest: Math.min(...texts) };
      }, id);
      expect(sizes.width).toBeLessThanOrEqual(1280);
      expect(sizes.smallest).toBeGreaterThanOrEqual(8);
    }
    // Every worker on its state in the worker machine.
    await page.waitForFunction(() => /#1 #2|#2 #1/.test(document.querySelector('#worker-svg text.who')?.textContent ?? ''), undefined, { timeout: 5_000 });
    // The heartbeat age of healthy workers, read from the table four times a second for 10 s.
    const worst = await page.evaluate(
      () =>
        new Promise<number>((done) => {
          let max = 0;
          const read = setInterval(() => {
            for (const td of document.querySelectorAll('#workers td.beat')) max = Math.max(max, parseFloat(td.textContent));
          }, 250);
          setTimeout(() => {
            clearInterval(read);
            done(max);
          }, 10_000);
        }),
    );
    expect(worst).toBeLessThan(2);
    // A control request without the token, from the page itself: refused.
    const bare = await page.evaluate(
      async () =>
        (await fetch('/control', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"command":"scale","args":{"workers":"+1"}}' }))
          .status,
    );
    expect(bare).toBe(403);
    expect(await page.$$('#workers tr')).toHaveLength(2);
    // TTIN from the page: a third row.
    await page.click('#scale-up');
    await page.waitForFunction(() => document.querySelectorAll('#workers tr').length === 3, undefined, { timeout: 15_000 });
    expect(await page.textContent('#control-result')).toMatch(/^scale: \{"target":3/);
    // HUP from the page: the diagram marks the transition it caused, with its cause.
    await page.click('#reload');
    await page.waitForFunction(
      () => /HUP master serving\.running → serving\.reloading\.configuring/.test(document.getElementById('timeline')!.textContent),
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#workers tr').length === 3 &&
        [...document.querySelectorAll('#workers tr')].every((r) => r.children[2].textContent === '2' && (r as HTMLElement).dataset.phase === 'ready'),
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => document.querySelector('#master-svg g.node.current title')?.textContent === 'serving.running', undefined, {
      timeout: 15_000,
    });
    // The last step's transition is marked on the diagram, and said with its cause.
    expect(await page.$$eval('#master-svg g.edge.last', (gs) => gs.map((g) => g.id))).toEqual([
      expect.stringMatching(/^t:serving\.reloading(\.\w+)?:serving\.running$/),
    ]);
    expect(await page.textContent('#last-move')).toMatch(/^last move: \S+, serving\.reloading\.rolling → serving\.running$/);
    // The timeline filtered by a cause shows only its steps.
    await page.selectOption('#filter-cause', 'HUP');
    expect(await page.$$eval('#timeline .cause', (els) => [...new Set(els.map((e) => e.textContent))])).toEqual(['HUP']);
    await page.selectOption('#filter-cause', '');
    // Each worker's load, from its first report.
    for (let i = 0; i < 20; i++) await fetch(`${m.url()}/`).then((r) => r.text());
    await page.waitForFunction(() => [...document.querySelectorAll('#workers td.load')].every((td) => /^\d+%, [\d.]+ ms/.test(td.textContent)), undefined, {
      timeout: 10_000,
    });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}inspector-live.png` });
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);

    // The recording, with one crafted step a hostile file could hold: all of it shown as text.
    const steps = readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const crafted = { ...steps.at(-1), cause: '<img src=x onerror="window.__pwned=1">', changes: [{ id: 9, pid: 9, from: '<b>x</b>', to: 'ready' }] };
    const file = join(mkdtempSync(join(tmpdir(), 'statefork-rec-')), 'crafted.jsonl');
    writeFileSync(file, [...steps, crafted].map((s) => JSON.stringify(s)).join('\n') + '\n');
    const replay = startCli(['visualize', '--replay', file, '--inspector', '127.0.0.1:0']);
    const start = Date.now();
    while (!/at (http\S+)/.test(replay.stdout) && Date.now() - start < 10_000) await new Promise((ok) => setTimeout(ok, 50));
    await page.goto(/at (http\S+)/.exec(replay.stdout)![1]);
    const n = steps.length + 1;
    await page.waitForFunction((total) => document.getElementById('position')!.textContent === `1 / ${total}`, n, { timeout: 10_000 });
    await page.click('#forward');
    expect(await page.textContent('#position')).toBe(`2 / ${n}`);
    expect(await page.textContent('#master-state')).toBe(steps[1].master.to);
    await page.$eval(
      '#scrub',
      (e, v) => {
        (e as HTMLInputElement).value = String(v);
        e.dispatchEvent(new Event('input'));
      },
      n - 1,
    );
    expect(await page.textContent('#master-state')).toBe(crafted.master.to);
    expect(await page.textContent('#timeline')).toContain('<img src=x onerror="window.__pwned=1">');
    expect(
      await page.evaluate(() => [document.querySelectorAll('#timeline img, #timeline b').length, (window as unknown as { __pwned?: number }).__pwned ?? null]),
    ).toEqual([0, null]);
    await page.$eval('#scrub', (e) => {
      (e as HTMLInputElement).value = '0';
      e.dispatchEvent(new Event('input'));
    });
    await page.click('#play');
    await page.waitForFunction((total) => document.getElementById('position')!.textContent === `${Math.min(3, total)} / ${total}`, n, { timeout: 10_000 });
    await page.click('#play');
    await page.$eval(
      '#scrub',
      (e, v) => {
        (e as HTMLInputElement).value = String(v);
        e.dispatchEvent(new Event('input'));
      },
      Math.floor(n / 2),
    );
    await page.screenshot({ path: `${SHOTS}inspector-replay.png` });
    replay.signal('SIGTERM');
    await replay.exited;
    await page.close();
  });
});
