/**
 * (13) HTTP/2: the same app (hello world) served by statefork with --http2 on a TLS bind, loaded
 * by h2load over HTTP/2 (one stream at a time per connection, as a browser's page load does not,
 * and ten at a time) and over HTTP/1.1 keep-alive on the same server (`h2load --h1`), in
 * alternating rounds of one run. The figure is HTTP/2's requests per second over HTTP/1.1's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStatefork } from '../servers.js';
import type { BenchSettings } from '../settings.js';

export interface Http2Row {
  protocol: 'HTTP/1.1 keep-alive' | 'HTTP/2, 1 stream a connection' | 'HTTP/2, 10 streams a connection';
  rps: number;
  roundRps: number[];
  failed: number;
}

const LOADS: Array<{ protocol: Http2Row['protocol']; args: string[] }> = [
  { protocol: 'HTTP/1.1 keep-alive', args: ['--h1'] },
  { protocol: 'HTTP/2, 1 stream a connection', args: ['-m', '1'] },
  { protocol: 'HTTP/2, 10 streams a connection', args: ['-m', '10'] },
];
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function h2load(url: string, args: string[], connections: number, seconds: number): Promise<{ rps: number; failed: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('h2load', ['-c', String(connections), '-D', String(seconds), ...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('error', reject);
    p.on('close', () => {
      const rps = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(out);
      const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
      if (!rps || !req) return reject(new Error(`h2load printed no figures:\n${out.slice(-500)}`));
      resolve({ rps: Number(rps[1]), failed: Number(req[5]) + Number(req[6]) });
    });
  });
}

export async function http2Section(s: BenchSettings, progress: (line: string) => void): Promise<Http2Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-bench-h2-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], {
    stdio: 'ignore',
  });
  const server = await startStatefork({ workers: s.workers, args: ['--http2', '--certfile', cert, '--keyfile', key] });
  const url = server.url.replace('http:', 'https:');
  try {
    for (const l of LOADS) await h2load(url, l.args, s.connections, s.warmupSeconds);
    const rounds = LOADS.map(() => [] as Array<{ rps: number; failed: number }>);
    for (let round = 1; round <= s.rounds; round++) {
      for (const [i, l] of LOADS.entries()) {
        rounds[i].push(await h2load(url, l.args, s.connections, s.seconds));
        progress(`${l.protocol} round ${round}: ${Math.round(rounds[i].at(-1)!.rps)} req/s`);
      }
    }
    return LOADS.map((l, i) => ({
      protocol: l.protocol,
      rps: rounds[i].reduce((a, r) => a + r.rps, 0) / rounds[i].length,
      roundRps: rounds[i].map((r) => r.rps),
      failed: rounds[i].reduce((a, r) => a + r.failed, 0),
    }));
  } finally {
    await server.kill();
  }
}

export function http2Table(rows: Http2Row[], s: BenchSettings): string {
  const h1 = rows.find((r) => r.protocol === 'HTTP/1.1 keep-alive')!;
  const head = ['protocol', 'req/s', 'rounds', 'vs HTTP/1.1', 'failed'];
  const body = rows.map((r) => [
    r.protocol,
    int(r.rps),
    `${int(Math.min(...r.roundRps))}–${int(Math.max(...r.roundRps))}`,
    `${(r.rps / h1.rps).toFixed(2)}x`,
    String(r.failed),
  ]);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)];
  return `### 13. HTTP/2\n\nThe hello-world app served by statefork (${s.workers} workers, \`--http2\`, TLS), loaded by h2load with ${s.connections} connections over HTTP/1.1 keep-alive (\`--h1\`) and over HTTP/2 with 1 and 10 streams at a time per connection, ${s.rounds} rounds of ${s.seconds} s each, taking turns.\n\n${lines.join('\n')}`;
}
