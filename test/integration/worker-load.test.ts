/**
 * Each worker's load, for real: a worker kept busy by requests that block its loop reports a high
 * event-loop utilisation and delay on its heartbeat, is logged as busy (not hung: it still
 * beats), and the figures reach statefork workers and the metrics; once idle, they fall again.
 */
import { describe, expect, it } from 'vitest';
import { startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';

describe('worker load', () => {
  it('busy: utilisation and delay high, a busy warning, the figures in statefork workers and the metrics; then idle again', async () => {
    const m = await startServing(['-w', '1', '-b', '127.0.0.1:0', '--timeout', '10', '--metrics', '127.0.0.1:0', 'hello.cjs']);
    const metrics = (await m.waitFor((x) => typeof x.metrics === 'string')).metrics as string;
    const from = m.records.length;
    let stop = false;
    const load = (async () => {
      while (!stop) await get(`${m.url()}/busy?ms=300`);
    })();
    const busy = await m.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('worker 1 is busy'), {
      from,
      what: 'the busy warning',
      timeoutMs: 15_000,
    });
    expect(busy).toMatchObject({ level: 40, id: 1, workerPid: m.workerPids()[0] });
    expect(busy.elu >= 0.9 || busy.delayP99Ms >= 500).toBe(true);
    const scrape = await (await fetch(metrics)).text();
    const value = (re: RegExp) => Number(re.exec(scrape)?.[1]);
    expect(value(/^statefork_worker_event_loop_utilization\{slot="1"\} (\S+)$/m)).toBeGreaterThan(0.5);
    expect(value(/^statefork_worker_event_loop_delay_seconds\{slot="1",quantile="0.99"\} (\S+)$/m)).toBeGreaterThan(0.05);
    expect(value(/^statefork_worker_heap_used_bytes\{slot="1"\} (\S+)$/m)).toBeGreaterThan(1e6);
    expect(value(/^statefork_worker_resident_memory_bytes\{slot="1"\} (\S+)$/m)).toBeGreaterThan(1e7);
    stop = true;
    await load;
    // Not hung: it was never aborted, and it is the same worker.
    expect(m.records.slice(from).filter((x) => x.msg === 'worker timeout' || /SIGABRT/.test(String(x.msg)))).toEqual([]);
    const workers = async () => {
      const r = startCli(['workers', '--json', '--control-socket', `/run/statefork/${m.pid}.sock`]);
      await r.exited;
      return JSON.parse(r.stdout) as Array<{ load: { elu: number; delayP99Ms: number; heapUsedBytes: number } | null }>;
    };
    let listed = await workers();
    for (const deadline = Date.now() + 10_000; !(listed[0].load && listed[0].load.elu < 0.5) && Date.now() < deadline;) listed = await workers();
    expect(listed[0].load).toMatchObject({ elu: expect.any(Number), delayP99Ms: expect.any(Number), heapUsedBytes: expect.any(Number) });
    expect(listed[0].load!.elu).toBeLessThan(0.5);
    const table = startCli(['workers', '--control-socket', `/run/statefork/${m.pid}.sock`]);
    await table.exited;
    expect(table.stdout.split('\n')[1]).toMatch(/ \d+% +[\d.]+ ms +[\d.]+ MiB +[\d.]+ MiB /);
  });
});
