/**
 * The settings window's "Test connection" in main against a real Dovecot, with the engine's
 * real Supervisor watching the same account: the test takes a slot of the account's
 * connection budget (waiting, and saying so, while the watcher holds them all; giving up at
 * the bound; giving the slot back however it ends), so it never becomes the connection the
 * server refuses (mail_max_userip_connections). And a STARTTLS server with a self-signed
 * certificate (as Proton Mail Bridge has): the test names the certificate by its SHA-256
 * fingerprint, read without trusting it, and with that fingerprint pinned it logs in.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountInput } from '../../app/common/ipc-contract.js';
import type { Settings } from '../../app/common/settings-schema.js';
import { ConnectGate } from '../../app/main/engine/imap/connect-gate.js';
import { testConnection } from '../../app/main/engine/check/test-connection.js';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import {
  startEngine,
  testAccount,
  testSettings,
  type EngineRun,
} from '../support/engine-harness.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { createSettingsHandlers } = await import('../../app/main/electron/settings-handlers.js');
const { certificateProvider, inspectCertificate } =
  await import('../../app/main/electron/certificate-check.js');
const { connectionLimitFor } = await import('../../app/main/engine/watch/connection-budget.js');

let certs: TestCertificates;
let dovecot: Dovecot;
let engine: EngineRun | undefined;
/** What `engine` watches now, for the limit the window is told. */
let watchedSettings: Settings | undefined;
/** Proton Mail Bridge's address, forwarded to the test Dovecot. */
let bridge: net.Server | undefined;

beforeAll(async () => {
  certs = makeTestCertificates();
  // The self-signed certificate on STARTTLS, and a server limit of two connections per user.
  dovecot = await startDovecot(
    { ann: 'pw' },
    { cert: certs.selfSigned.cert, key: certs.selfSigned.key },
    { maxUserIpConnections: 2 },
  );
});
afterAll(async () => {
  await engine?.supervisor.stop();
  bridge?.close();
  await dovecot?.stop();
});

const COMMAND_TIMEOUT_MS = 3_000;

/** The handlers as the composition root makes them, on `engine`'s supervisor (if any). */
function handlersFor(budgetWaitMs = 30_000) {
  const store = new SettingsStore({ cwd: mkdtempSync(path.join(tmpdir(), 'tidings-conn-')) });
  const progress: string[] = [];
  const tests = vi.fn(testConnection);
  const handlers = createSettingsHandlers({
    store,
    apply: async () => {},
    statuses: () => [],
    testConnection: (account, secret) =>
      tests(account, secret, { commandTimeoutMs: COMMAND_TIMEOUT_MS, gate: new ConnectGate(1) }),
    signedInCredentials: () => Promise.reject(new Error('no sign-in here')),
    borrowConnection: (id, signal) =>
      engine ? engine.supervisor.borrowConnection(id, signal) : Promise.resolve(() => {}),
    connectionLimit: (id) => {
      const account = watchedSettings?.accounts.find((a) => a.id === id);
      if (!account) throw new Error(`no account ${id}`);
      return connectionLimitFor(account);
    },
    progress: (message) => progress.push(message),
    inspectCertificate: (account) => inspectCertificate(account, COMMAND_TIMEOUT_MS),
    budgetWaitMs,
    setStartAtLogin: () => {},
    encrypt: (password) => `enc:${password}`,
    decrypt: (cipher) => cipher.slice(4),
    secretStorageWarning: () => null,
  });
  return { handlers, progress, tests };
}

function dovecotLog(): string {
  return readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
}

describe("Test connection within the account's connection budget, against Dovecot", () => {
  it('waits while the watcher holds every slot and gives up at the bound; with room it lists the mailboxes and gives the slot back', async () => {
    const watched = { ...testAccount(dovecot, 'a', 'ann', 'pw'), maxConnections: 1 };
    const settings = testSettings([watched]);
    engine = startEngine(settings);
    watchedSettings = settings;
    await engine.allIdle(settings);
    const account: AccountInput['account'] = { ...watched, allowInsecureAuth: true };

    // One connection allowed, and the watcher holds it: the test waits, says so, gives up.
    const full = handlersFor(500);
    await expect(full.handlers['account:test']({ originalId: 'a', account })).resolves.toEqual({
      ok: true,
      value: {
        ok: false,
        code: 'busy',
        message:
          'waiting for a free connection: this account may use 1 at once (maxConnections); none came free in 0.5 s, so the test gave up',
      },
    });
    expect(full.progress).toEqual([
      'Waiting for a free connection: this account may use 1 at once (maxConnections)…',
    ]);
    expect(full.tests).not.toHaveBeenCalled();

    // Two allowed: the test is the second connection, and lists the mailboxes.
    const roomy = testSettings([{ ...watched, maxConnections: 2 }]);
    await engine.apply(roomy);
    watchedSettings = roomy;
    const room = handlersFor(500);
    await expect(
      room.handlers['account:test']({
        originalId: 'a',
        account: { ...account, maxConnections: 2 },
      }),
    ).resolves.toEqual({ ok: true, value: { ok: true, mailboxes: ['INBOX'] } });
    expect(room.progress).toEqual([]);

    // Its slot came back: the one left is free now, and while something holds it the next
    // test waits instead of being the third connection Dovecot would refuse.
    const held = await engine.supervisor.borrowConnection('a', AbortSignal.timeout(2_000));
    const again = await room.handlers['account:test']({ originalId: 'a', account });
    expect(again).toMatchObject({ ok: true, value: { ok: false, code: 'busy' } });
    held();
    // A wrong password fails, and gives its slot back too.
    const wrong = await room.handlers['account:test']({
      originalId: 'a',
      account: { ...account, password: 'wrong' },
    });
    expect(wrong).toMatchObject({ ok: true, value: { ok: false, code: 'auth' } });
    const after = await engine.supervisor.borrowConnection('a', AbortSignal.timeout(2_000));
    after();
    expect(dovecotLog()).not.toMatch(/Maximum number of connections/);
    await engine.supervisor.stop();
    engine = undefined;
  });
});

describe('pinning a self-signed certificate from Test connection', () => {
  const starttls = (port: number, extra: Partial<AccountInput['account']> = {}) =>
    ({
      id: 'bridge',
      host: '127.0.0.1',
      port,
      tls: 'starttls',
      user: 'ann',
      password: 'pw',
      mailboxes: ['INBOX'],
      allowInsecureAuth: false,
      ...extra,
    }) satisfies AccountInput['account'];

  it('names the refused certificate by its fingerprint, and logs in once it is pinned', async () => {
    const { handlers } = handlersFor();
    const refused = await handlers['account:test']({ account: starttls(dovecot.port) });
    expect(refused).toMatchObject({
      ok: true,
      value: {
        ok: false,
        code: 'tls',
        certificate: {
          fingerprint256: certs.selfSigned.fingerprint256,
          problem: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
          replacesPin: false,
          pinnable: true,
        },
      },
    });
    const view = refused.ok && !refused.value.ok ? refused.value.certificate : undefined;
    expect(view?.provider).toBeUndefined();
    expect(view?.subject).toMatch(/CN=/);
    expect(Date.parse(view?.validTo ?? '')).toBeGreaterThan(Date.now());

    const pinned = starttls(dovecot.port, {
      certificateFingerprint: certs.selfSigned.fingerprint256,
    });
    await expect(handlers['account:test']({ account: pinned })).resolves.toEqual({
      ok: true,
      value: { ok: true, mailboxes: ['INBOX'] },
    });
  });

  it('shows a certificate that does not match the pin as one that would replace it', async () => {
    const { handlers } = handlersFor();
    const otherPin = certs.good.fingerprint256;
    const result = await handlers['account:test']({
      account: starttls(dovecot.port, { certificateFingerprint: otherPin }),
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        ok: false,
        code: 'tls',
        certificate: {
          fingerprint256: certs.selfSigned.fingerprint256,
          replacesPin: true,
          pinnable: true,
          problem: expect.stringMatching(/does not match the pinned SHA-256/),
        },
      },
    });
  });

  it('names Proton Mail Bridge at 127.0.0.1:1143 and pins its certificate', async () => {
    bridge = net.createServer((client) => {
      const server = net.connect(dovecot.port, '127.0.0.1');
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      bridge?.once('error', reject);
      bridge?.listen(1143, '127.0.0.1', resolve);
    });
    const { handlers } = handlersFor();
    const refused = await handlers['account:test']({ account: starttls(1143) });
    expect(refused).toMatchObject({
      ok: true,
      value: {
        code: 'tls',
        certificate: {
          fingerprint256: certs.selfSigned.fingerprint256,
          provider: 'Proton Mail Bridge',
          pinnable: true,
        },
      },
    });
    const pinned = starttls(1143, { certificateFingerprint: certs.selfSigned.fingerprint256 });
    await expect(handlers['account:test']({ account: pinned })).resolves.toEqual({
      ok: true,
      value: { ok: true, mailboxes: ['INBOX'] },
    });
  });

  it('reads no certificate for a trusted server, and none over plaintext', async () => {
    await expect(
      inspectCertificate(
        starttls(dovecot.port, { certificateFingerprint: certs.selfSigned.fingerprint256 }),
        COMMAND_TIMEOUT_MS,
      ),
    ).resolves.toBeNull();
    await expect(
      inspectCertificate({ ...starttls(dovecot.port), tls: 'none' }, COMMAND_TIMEOUT_MS),
    ).resolves.toBeNull();
  });
});

describe('which certificates may be pinned', () => {
  it.each([
    ['imap.gmail.com', 993, { name: 'Gmail', pinOnFirstUse: false }],
    ['IMAP.Gmail.com.', 143, { name: 'Gmail', pinOnFirstUse: false }],
    ['outlook.office365.com', 993, { name: 'Outlook', pinOnFirstUse: false }],
    ['127.0.0.1', 1143, { name: 'Proton Mail Bridge', pinOnFirstUse: true }],
    ['127.0.0.1', 2143, undefined],
    ['mail.example.test', 993, undefined],
  ])('%s:%i', (host, port, expected) => {
    expect(certificateProvider(host, port)).toEqual(expected);
  });
});
