/**
 * TLS as real users have it, against Dovecot with certificates from a CA made at suite start:
 * implicit TLS and STARTTLS, untrusted and wrong-host certificates (named by fingerprint),
 * a private CA file, a pinned self-signed certificate, and no plaintext fallback.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../app/common/account-status.js';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import {
  fastLiveness,
  startEngine,
  testSettings,
  type EngineRun,
} from '../support/engine-harness.js';

let certs: TestCertificates;
let good: Dovecot;
let wrongHost: Dovecot;
let selfSigned: Dovecot;
let plain: Dovecot;
const runs: EngineRun[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  const users = { ann: 'pw' };
  [good, wrongHost, selfSigned, plain] = await Promise.all([
    startDovecot(users, { cert: certs.good.cert, key: certs.good.key }),
    startDovecot(users, { cert: certs.wrongHost.cert, key: certs.wrongHost.key }),
    startDovecot(users, { cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
    startDovecot(users),
  ]);
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.supervisor.stop()));
});
afterAll(async () => {
  await Promise.all([good, wrongHost, selfSigned, plain].map((server) => server?.stop()));
});

type Tls = 'implicit' | 'starttls';

function account(server: Dovecot, tls: Tls, extra: Record<string, unknown> = {}) {
  const port = tls === 'implicit' ? server.tlsPort : server.port;
  return { id: 'a', host: '127.0.0.1', port, tls, user: 'ann', password: 'pw', ...extra };
}

/** Watches with `account` and resolves with the first state other than connecting. */
async function outcome(accountSettings: Record<string, unknown>): Promise<WatcherStatus> {
  const engine = startEngine(testSettings([accountSettings], 5, fastLiveness));
  runs.push(engine);
  return engine.statuses.waitFor(
    (s) =>
      s.state === 'idle' || s.state === 'tls-error' || s.state === 'error' || s.state === 'backoff',
    'a connection outcome',
  );
}

describe.each<Tls>(['implicit', 'starttls'])('TLS (%s)', (tls) => {
  it('connects to a server whose certificate chains to a trusted caFile', async () => {
    const result = await outcome(account(good, tls, { caFile: certs.caFile }));
    expect(result.state).toBe('idle');
  });

  it('refuses an untrusted certificate with tls-error naming its SHA-256 fingerprint', async () => {
    const result = await outcome(account(good, tls));
    expect(result.state).toBe('tls-error');
    expect(result.detail).toContain(`SHA-256 ${certs.good.fingerprint256}`);
  });

  it('refuses a certificate for another host, even from a trusted CA', async () => {
    const result = await outcome(account(wrongHost, tls, { caFile: certs.caFile }));
    expect(result.state).toBe('tls-error');
    expect(result.detail).toMatch(/not in the cert's altnames|does not match/i);
    expect(result.detail).toContain(certs.wrongHost.fingerprint256);
  });

  it('trusts a self-signed certificate whose fingerprint is pinned', async () => {
    const pin = certs.selfSigned.fingerprint256.replace(/:/g, '').toLowerCase();
    const result = await outcome(account(selfSigned, tls, { certificateFingerprint: pin }));
    expect(result.state).toBe('idle');
  });

  it('refuses a self-signed certificate whose fingerprint does not match the pin', async () => {
    const result = await outcome(
      account(selfSigned, tls, { certificateFingerprint: certs.good.fingerprint256 }),
    );
    expect(result.state).toBe('tls-error');
    expect(result.detail).toMatch(/does not match the pinned/);
  });
});

describe('STARTTLS required', () => {
  it('refuses to log in to a server that does not offer STARTTLS: no plaintext fallback', async () => {
    const result = await outcome(account(plain, 'starttls'));
    expect(result.state).toBe('tls-error');
    expect(result.detail).toMatch(/STARTTLS/);
    // Dovecot logs the connection's end a moment late; after that line, a login would show.
    await plain.waitForLog(/Disconnected: .*no auth attempts/);
    const log = readFileSync(path.join(plain.dir, 'dovecot.log'), 'utf8');
    expect(log).not.toMatch(/Login: user=<ann>/);
    expect(log).not.toMatch(/auth failed/);
  });

  it('names an unreadable caFile as a configuration error', async () => {
    const result = await outcome(account(good, 'implicit', { caFile: '/nonexistent/ca.pem' }));
    expect(result.state).toBe('error');
    expect(result.detail).toBe('cannot read caFile /nonexistent/ca.pem (ENOENT)');
  });
});
