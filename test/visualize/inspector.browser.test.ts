/**
 * The inspector page in headless Chromium (Debian's chromium, driven by playwright-core) against a
 * real master: workers ready, TTIN, HUP, and a hung worker passing through the timeout states.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
let browser: Browser | undefined;
afterAll(async () => browser?.close());

describe('inspector page in a browser', () => {
  it('shows the workers and the master move through their states, live', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--timeout', '2', '--inspector', '127.0.0.1:0', 'hello.cjs']);
    const url = m.records.find((x) => x.inspector)!.inspector as string;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const readyCount = (n: number, generation?: number) => page.waitForFunction(
      ([g, count]) => [...document.querySelectorAll('#workers tr')].filter((r) => (r as HTMLElement).dataset.phase === 'ready' && (g === null || r.children[2].textContent === String(g))).length === count,
      [generation ?? null, n] as const, { timeout: 15_000 },
    );
    await readyCount(2);
    for (let i = 0; i < 5; i++) await get(`${m.url()}/`);
    await page.waitForFunction(() => [...document.querySelectorAll('#workers td.requests')].reduce((n, td) => n + Number(td.textContent), 0) === 5, undefined, { timeout: 15_000 });
    expect(await page.textContent('#master-state')).toBe('serving.running');
    expect(await page.textContent('#master-svg g.node.current title')).toBe('serving.running');
    expect(await page.textContent('#worker-svg g.node.current title')).toBe('ready');

    m.signal('SIGTTIN');
    await readyCount(3);

    m.signal('SIGHUP');
    await page.waitForFunction(() => document.getElementById('timeline')!.textContent!.includes('serving.reloading.rolling'), undefined, { timeout: 15_000 });
    await readyCount(3, 2);
    // The old generation drained away as the new one became ready.
    await page.waitForFunction(() => (document.getElementById('timeline')!.textContent!.match(/ready → draining/g) ?? []).length >= 3, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('#workers tr').length === 3, undefined, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('master-state')!.textContent === 'serving.running', undefined, { timeout: 15_000 });

    get(`${m.url()}/hang`).catch(() => {});
    await page.waitForFunction(() => /ready → aborting/.test(document.getElementById('timeline')!.textContent!), undefined, { timeout: 15_000 });
    await page.waitForFunction(() => /aborting → (killed|exited)/.test(document.getElementById('timeline')!.textContent!), undefined, { timeout: 15_000 });
    await readyCount(3, 2);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}inspector.png`, fullPage: true });
    m.signal('SIGTERM');
    const { code } = await m.exited;
    expect(code, m.stderrText().split('\n').filter((l) => !l.startsWith('{')).join('\n') || JSON.stringify(m.records.slice(-5))).toBe(0);
  });
});
