/**
 * (4) Hung-worker detection: one worker blocks its event loop for good; how long until the
 * master has killed it and a new worker answers? With --timeout 2, over several trials.
 * pm2 and Node's cluster module have no heartbeat: a hung worker stays hung there.
 */
import { request } from 'node:http';
import { startStatefork } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface HungRow {
  trial: number;
  /** From the worker blocking (its own word on stderr) to the master's "worker timeout" record. */
  detectedMs: number;
  /** From the worker blocking to a new worker's answer. */
  replacedMs: number;
  /** --hang-stacks: how long the watchdog took to take the stack (the worker was stuck already), and whether it got frames. */
  stackMs: number | null;
  stackTaken: boolean;
}

function pidOf(url: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(Number(body) || null));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

export async function hungWorker(s: BenchSettings, progress: (line: string) => void): Promise<HungRow[]> {
  const server = await startStatefork({ workers: 1, app: 'hung.cjs', args: ['--timeout', String(s.hungTimeout)] });
  const rows: HungRow[] = [];
  try {
    for (let trial = 1; trial <= s.hungTrials; trial++) {
      const before = await pidOf(server.url, 5000);
      if (!before) throw new Error('the worker did not answer before the trial');
      const from = server.records.length;
      void pidOf(`${server.url}hang`, 60_000);
      await server.waitRecord((r) => r.app === 'hang' && r.pid === before, 10_000, from);
      const t0 = Date.now();
      let now: number | null = null;
      while (!now || now === before) now = await pidOf(server.url, 10_000);
      const replacedMs = Date.now() - t0;
      const detected = await server.waitRecord((r) => /^worker timeout/.test(r.msg ?? ''), 10_000, from);
      const hung = await server.waitRecord((r) => r.event === 'hung', 10_000, from);
      const row = {
        trial,
        detectedMs: detected.time - t0,
        replacedMs,
        stackMs: hung.captureMs as number | null,
        stackTaken: (hung.stack as string[]).length > 0,
      };
      progress(`hung worker trial ${trial}: detected after ${row.detectedMs} ms, replaced after ${row.replacedMs} ms, stack taken in ${row.stackMs} ms`);
      rows.push(row);
    }
  } finally {
    await server.kill();
  }
  return rows;
}
