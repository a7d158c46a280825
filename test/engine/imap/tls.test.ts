/**
 * TLS as real users have it, against Dovecot with certificates from a CA made at suite start:
 * implicit TLS and STARTTLS, untrusted and wrong-host certificates (named by fingerprint),
 * a private CA file, a pinned self-signed certificate (checked on the login connection
 * itself), and no plaintext fallback.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import { makeImpostorCertificate } from '../../support/impostor-certificate.js';
import { startSwitchingProxy, type SwitchingProxy } from '../../support/switching-proxy.js';
import {
  fastLiveness,
  startEngine,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';

let certs: TestCertificates;
let good: Dovecot;
let wrongHost: Dovecot;
let selfSigned: Dovecot;
let plain: Dovecot;
/** Presents a certificate issued by the self-signed one's key: it chains to it, yet is not it. */
let impostor: Dovecot;
const runs: EngineRun[] = [];
const proxies: SwitchingProxy[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  const users = { ann: 'pw' };
  const impostorCert = makeImpostorCertificate(certs.selfSigned);
  [good, wrongHost, selfSigned, plain, impostor] = await Promise.all([
    startDovecot(users, { cert: certs.good.cert, key: certs.good.key }),
    startDovecot(users, { cert: certs.wrongHost.cert, key: certs.wrongHost.key }),
    startDovecot(users, { cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
    startDovecot(users),
    startDovecot(users, { cert: impostorCert.cert, key: impostorCert.key }),
  ]);
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.supervisor.stop()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(async () => {
  const servers = [good, wrongHost, selfSigned, plain, impostor];
  await Promise.all(servers.map((server) => server?.stop()));
});

type Tls = 'implicit' | 'starttls';

function account(server: Dovecot, tls: Tls, extra: Record<string, unknown> = {}) {
  const port = tls === 'implicit' ? server.tlsPort : server.port;
  return { id: 'a', host: '127.0.0.1', port, tls, user: 'ann', password: 'pw', ...extra };
}

function serverLog(server: Dovecot): string[] {
  return readFileSync(path.join(server.dir, 'dovecot.log'), 'utf8').split('\n').filter(Boolean);
}

/** Resolves once `server` has logged a line matching `pattern` after line `from`. */
async function waitForLogAfter(server: Dovecot, from: number, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (
    !serverLog(server)
      .slice(from)
      .some((line) => pattern.test(line))
  ) {
    if (Date.now() > deadline) throw new Error(`Dovecot never logged ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

  it.each([
    ['AB:CD:… in upper case', (fingerprint: string) => fingerprint],
    [
      '64 hex digits in lower case',
      (fingerprint: string) => fingerprint.replace(/:/g, '').toLowerCase(),
    ],
  ])(
    'trusts a self-signed certificate whose fingerprint is pinned (%s)',
    async (_spelling, spell) => {
      const pin = spell(certs.selfSigned.fingerprint256);
      const result = await outcome(account(selfSigned, tls, { certificateFingerprint: pin }));
      expect(result.state).toBe('idle');
    },
  );

  it('refuses a self-signed certificate whose fingerprint does not match the pin, sending no credentials', async () => {
    const user = `pin-mismatch-${tls}`;
    selfSigned.addUser(user, 'pw');
    const from = serverLog(selfSigned).length;
    const result = await outcome(
      account(selfSigned, tls, { user, certificateFingerprint: certs.good.fingerprint256 }),
    );
    expect(result.state).toBe('tls-error');
    expect(result.detail).toMatch(/does not match the pinned/);
    await waitForLogAfter(selfSigned, from, /Disconnected/);
    expect(serverLog(selfSigned).join('\n')).not.toContain(`user=<${user}>`);
  });

  it('checks the pin on the login connection itself: a server switched in after the probe gets no credentials', async () => {
    const user = `pin-switched-${tls}`;
    selfSigned.addUser(user, 'pw');
    impostor.addUser(user, 'pw');
    const port = (server: Dovecot) => (tls === 'implicit' ? server.tlsPort : server.port);
    // The first connection reaches the pinned server, every later one the impostor, whose
    // certificate chains to the pinned one (openssl made that CA:TRUE) but is not it.
    const proxy = await startSwitchingProxy(port(selfSigned), port(impostor));
    proxies.push(proxy);
    const from = serverLog(impostor).length;
    const pin = certs.selfSigned.fingerprint256;
    const result = await outcome({
      ...account(selfSigned, tls, { user, certificateFingerprint: pin }),
      port: proxy.port,
    });
    expect(result.state).toBe('tls-error');
    // The probe saw the pinned certificate; the login connection refused the impostor's.
    expect(proxy.accepted).toBe(2);
    expect(result.detail).toMatch(/^TLS failed: certificate SHA-256 \S+ does not match the pinned/);
    await waitForLogAfter(impostor, from, /Disconnected|Login:/);
    expect(serverLog(impostor).join('\n')).not.toContain(`user=<${user}>`);
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

  it('names a missing caFile as a configuration error', async () => {
    const result = await outcome(account(good, 'implicit', { caFile: '/nonexistent/ca.pem' }));
    expect(result.state).toBe('error');
    expect(result.detail).toBe('cannot read caFile /nonexistent/ca.pem (ENOENT)');
  });
});

describe('caFile checks', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-cafile-'));
  const fifo = path.join(dir, 'ca.fifo');
  const big = path.join(dir, 'big.pem');
  beforeAll(() => {
    execFileSync('mkfifo', [fifo]);
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 'A'));
  });
  afterAll(() => {
    // Should a reader still wait in open() on the FIFO, a writer coming and going frees it.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting: nothing to free.
    }
  });

  it.each([
    ['/dev/zero', 'is not a regular file (a character device)'],
    [fifo, 'is not a regular file (a FIFO)'],
    [big, 'is too large (2.0 MB; at most 1 MB)'],
    [dir, 'is not a regular file (a directory)'],
  ])('refuses caFile %s at once, naming the problem', async (file, problem) => {
    const started = Date.now();
    const result = await outcome(account(good, 'implicit', { caFile: file }));
    expect(result.state).toBe('error');
    expect(result.detail).toBe(`caFile ${file} ${problem}`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
