/**
 * A certificate for 127.0.0.1 issued with a self-signed certificate's own key. openssl marks a
 * self-signed `req -x509` certificate CA:TRUE, so this one chains to it: trusting the pinned
 * certificate as a CA is not the same as checking the pin, and this is the certificate that
 * tells the two apart.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CertificateFiles } from './certificates.js';

/** Makes a leaf certificate for 127.0.0.1 signed by `issuer`'s key. */
export function makeImpostorCertificate(issuer: CertificateFiles): CertificateFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-impostor-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(file('impostor.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    file('impostor.key'),
    '-out',
    file('impostor.csr'),
    '-subj',
    '/CN=impostor',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('impostor.csr'),
    '-CA',
    issuer.cert,
    '-CAkey',
    issuer.key,
    '-CAcreateserial',
    '-CAserial',
    file('impostor.srl'),
    '-out',
    file('impostor.pem'),
    '-days',
    '2',
    '-extfile',
    file('impostor.ext'),
  );
  const cert = file('impostor.pem');
  return {
    cert,
    key: file('impostor.key'),
    fingerprint256: new X509Certificate(readFileSync(cert)).fingerprint256,
  };
}
