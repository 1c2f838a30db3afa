/** TLS for the tests: a self-signed certificate that openssl makes for one run. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate for CN=localhost with these subject alternative names, valid a day: its PEM files. */
export function selfSignedCertificate(subjectAltName = 'IP:127.0.0.1,DNS:localhost'): { cert: string; key: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'statefork-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'];
  execFileSync('openssl', [...args, '-addext', `subjectAltName=${subjectAltName}`], { stdio: 'ignore' });
  return { cert, key, dir };
}
