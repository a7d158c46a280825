/**
 * Certificates for TLS tests, made with openssl at suite start: a CA, a server certificate it
 * signs for 127.0.0.1, one it signs for the wrong host, and a self-signed one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate and key on disk, and the certificate's SHA-256 fingerprint ("AB:CD:…"). */
export interface CertificateFiles {
  cert: string;
  key: string;
  fingerprint256: string;
}

/** Everything the TLS tests need. */
export interface TestCertificates {
  caFile: string;
  good: CertificateFiles;
  wrongHost: CertificateFiles;
  selfSigned: CertificateFiles;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a CA and the server certificates in a temp dir. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-certs-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

  openssl(
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Tidings Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );

  const signed = (name: string, altNames: string): CertificateFiles => {
    writeFileSync(file(`${name}.ext`), `subjectAltName=${altNames}\n`);
    openssl(
      'req',
      ...EC_KEY,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
    return described(name);
  };
  const described = (name: string): CertificateFiles => ({
    cert: file(`${name}.pem`),
    key: file(`${name}.key`),
    fingerprint256: fingerprintOf(file(`${name}.pem`)),
  });

  openssl(
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    file('self.key'),
    '-out',
    file('self.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=self-signed',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  return {
    caFile: file('ca.pem'),
    good: signed('good', 'IP:127.0.0.1,DNS:localhost'),
    wrongHost: signed('wrong', 'DNS:wrong.example'),
    selfSigned: described('self'),
  };
}

function fingerprintOf(certFile: string): string {
  const out = execFileSync('openssl', [
    'x509',
    '-in',
    certFile,
    '-noout',
    '-fingerprint',
    '-sha256',
  ]).toString();
  return out.trim().replace(/^.*=/, '').toUpperCase();
}
