/** HTTPS: workers serve TLS on every bind with a certificate the test makes (openssl). */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCli, startServing } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { selfSignedCertificate } from '../helpers/tls.js';

const selfSigned = () => selfSignedCertificate();

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('HTTPS', () => {
  it('serves TLS with --certfile and --keyfile, verified against the certificate; plain HTTP gets no answer', async () => {
    const { cert, key } = selfSigned();
    const m = await startServing(['-w', '2', '-b', '127.0.0.1:0', '--certfile', cert, '--keyfile', key, 'hello.cjs']);
    expect(m.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsGet(`${m.url()}/`, readFileSync(cert));
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^hello v1 from \d+/);
    await expect(get(m.url().replace('https:', 'http:') + '/', { timeoutMs: 3000 })).rejects.toThrow();
    m.signal('SIGTERM');
    expect((await m.exited).code).toBe(0);
  });

  it.each([
    [['--certfile', 'cert.pem'], /^statefork: error: --certfile and --keyfile go together: give both, or neither \(got only --certfile\)$/],
    [
      ['--certfile', '/nope/cert.pem', '--keyfile', '/nope/key.pem'],
      /^statefork: error: invalid --certfile '\/nope\/cert\.pem': the file does not exist or cannot be read; give a PEM file$/,
    ],
  ])('bad TLS options %j: exit 2 and one line', async (args, line) => {
    const { cert } = selfSigned();
    const r = startCli([...args.map((a) => (a === 'cert.pem' ? cert : a)), 'hello.cjs']);
    expect((await r.exited).code).toBe(2);
    expect(r.stderrText().trim()).toMatch(line);
  });
});
