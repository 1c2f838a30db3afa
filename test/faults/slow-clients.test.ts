/**
 * The master's own HTTP servers under slow and many clients, for real: an attacker holds a
 * thousand connections open to the health endpoints (and 64 more to the metrics and to the
 * inspector), sending one header line now and then and reconnecting whatever is closed, while an
 * orchestrator probes. Every probe must be answered within 1 s, from the same address as the
 * attacker (the worst case: a per-peer cap alone would turn the probe away), and the shed
 * connections are counted.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startServing } from '../helpers/cli.js';
import { freePorts, get } from '../helpers/http.js';

/** Holds `n` connections to `port`, each sending a header line every `everyMs`, reopened when closed. */
function slowloris(port: number, n: number, everyMs: number) {
  const sockets = new Set<net.Socket>();
  let stopped = false;
  let opened = 0;
  const open = () => {
    if (stopped) return;
    opened++;
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`));
    const drip = setInterval(() => s.writable && s.write(`X-Slow-${Date.now()}: 1\r\n`), everyMs);
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(drip);
      sockets.delete(s);
      setTimeout(open, 50);
    });
  };
  for (let i = 0; i < n; i++) open();
  return {
    get open() {
      return sockets.size;
    },
    get opened() {
      return opened;
    },
    stop: () => {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

describe("slow clients cannot starve the master's HTTP servers", () => {
  it('1,000 slow connections to the health endpoints, 64 to the metrics and the inspector: every probe is answered within 1 s', async () => {
    const [health, metrics, inspector] = await freePorts(3);
    const m = await startServing([
      '-w',
      '1',
      '-b',
      '127.0.0.1:0',
      '--health',
      `127.0.0.1:${health}`,
      '--metrics',
      `127.0.0.1:${metrics}`,
      '--inspector',
      `127.0.0.1:${inspector}`,
      'hello.cjs',
    ]);
    const attacks = [slowloris(health, 1000, 2000), slowloris(metrics, 64, 2000), slowloris(inspector, 64, 2000)];
    // Long enough for the headers timeout (5 s) to have ended the first round of attackers.
    const until = Date.now() + 12_000;
    const probes: Array<{ url: string; status: number; ms: number }> = [];
    while (Date.now() < until) {
      for (const url of [
        `http://127.0.0.1:${health}/livez`,
        `http://127.0.0.1:${health}/readyz`,
        `http://127.0.0.1:${metrics}/metrics`,
        `http://127.0.0.1:${inspector}/`,
      ]) {
        const at = performance.now();
        const status = await get(url, { timeoutMs: 1000 }).then(
          (r) => r.status,
          () => 0,
        );
        probes.push({ url, status, ms: Math.round(performance.now() - at) });
      }
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const failed = probes.filter((p) => p.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(probes.length).toBeGreaterThan(20);
    // The attack was real: it kept reconnecting as its connections were shed, and never held more than the cap.
    expect(attacks[0].opened).toBeGreaterThan(1000);
    const scrape = (await get(`http://127.0.0.1:${metrics}/metrics`)).body;
    for (const server of ['health', 'metrics', 'inspector']) {
      expect(Number(new RegExp(`^statefork_http_connections_shed_total\\{server="${server}"\\} (\\d+)$`, 'm').exec(scrape)?.[1]), server).toBeGreaterThan(0);
    }
    for (const a of attacks) a.stop();
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });
});
