/**
 * A server certificate for made-up DNS names (autoconfig.example.test…), signed by the CA of
 * `makeTestCertificates`, so a test server can be trusted under a domain name, not an IP.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestCertificates } from './certificates.js';

/** A certificate for `names` (and 127.0.0.1) from the suite's CA: PEM file paths. */
export function signForNames(
  certs: TestCertificates,
  label: string,
  names: string[],
): { cert: string; key: string } {
  const dir = path.dirname(certs.caFile);
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const altNames = ['IP:127.0.0.1', ...names.map((name) => `DNS:${name}`)].join(',');
  writeFileSync(file(`${label}.ext`), `subjectAltName=${altNames}\n`);
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    file(`${label}.key`),
    '-out',
    file(`${label}.csr`),
    '-subj',
    `/CN=${label}`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file(`${label}.csr`),
    '-CA',
    certs.caFile,
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file(`${label}.pem`),
    '-days',
    '2',
    '-extfile',
    file(`${label}.ext`),
  );
  return { cert: file(`${label}.pem`), key: file(`${label}.key`) };
}
