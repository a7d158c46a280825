import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CertificateView, ConnectionTestResult } from '../../app/common/ipc-contract.js';
import { ConnectionBudget } from '../../app/main/engine/watch/connection-budget.js';
import type { SettingsHandlerDeps } from '../../app/main/electron/settings-handlers.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { createSettingsHandlers } = await import('../../app/main/electron/settings-handlers.js');

const account = {
  id: 'work',
  host: 'imap.example.test',
  tls: 'implicit' as const,
  user: 'ann',
  mailboxes: ['INBOX'],
  allowInsecureAuth: false,
  password: 'pw',
};

const limit = { limit: 1, source: 'maxConnections' };
const waiting = 'Waiting for a free connection: this account may use 1 at once (maxConnections)…';

function setup(extra: Partial<SettingsHandlerDeps> = {}) {
  const store = new SettingsStore({ cwd: mkdtempSync(path.join(tmpdir(), 'tidings-handlers-')) });
  const pending: Array<(result: ConnectionTestResult) => void> = [];
  const testConnection = vi.fn(
    () => new Promise<ConnectionTestResult>((resolve) => pending.push(resolve)),
  );
  // The engine's own budget for the watched account "work"; any other id is not watched.
  const budget = new ConnectionBudget(limit);
  const progress = vi.fn<(message: string) => void>();
  const borrowed: string[] = [];
  const handlers = createSettingsHandlers({
    store,
    apply: async () => {},
    statuses: () => [],
    testConnection,
    signedInCredentials: async () => ({ kind: 'oauth2' as const, accessToken: 'at' }),
    setStartAtLogin: () => {},
    encrypt: (password) => `enc:${password}`,
    decrypt: (cipher) => cipher.slice(4),
    secretStorageWarning: () => null,
    borrowConnection: (id, signal) => {
      borrowed.push(id);
      return id === 'work' ? budget.acquire(signal) : Promise.resolve(() => {});
    },
    connectionLimit: () => limit,
    progress,
    inspectCertificate: async () => null,
    ...extra,
  });
  return { handlers, testConnection, pending, budget, progress, borrowed };
}

describe('the settings handlers', () => {
  it('run one connection test at a time and refuse, not queue, a second one', async () => {
    const { handlers, testConnection, pending } = setup();
    const first = handlers['account:test']({ account });
    await expect(handlers['account:test']({ account })).resolves.toEqual({
      ok: false,
      error: {
        code: 'failed',
        message: 'a connection test is already running: wait for it to finish',
        fields: {},
      },
    });
    expect(testConnection).toHaveBeenCalledOnce();
    pending[0]?.({ ok: true, mailboxes: ['INBOX'] });
    await expect(first).resolves.toEqual({ ok: true, value: { ok: true, mailboxes: ['INBOX'] } });
    // Finished, the next test runs.
    const next = handlers['account:test']({ account });
    await vi.waitFor(() => expect(testConnection).toHaveBeenCalledTimes(2));
    pending[1]?.({ ok: false, code: 'auth', message: 'login rejected' });
    await expect(next).resolves.toMatchObject({ ok: true, value: { ok: false, code: 'auth' } });
  });

  it('test the stored password only against the server it was saved for', async () => {
    const { handlers, testConnection, pending } = setup();
    await handlers['account:save']({ account });
    const edited = { ...account, password: undefined };
    const same = handlers['account:test']({ originalId: 'work', account: edited });
    await vi.waitFor(() => expect(testConnection).toHaveBeenCalledWith(edited, 'pw'));
    pending[0]?.({ ok: true, mailboxes: [] });
    await same;
    const moved = { ...edited, host: 'imap.elsewhere.test' };
    await expect(
      handlers['account:test']({ originalId: 'work', account: moved }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-request', fields: { password: expect.stringMatching(/again/) } },
    });
    expect(testConnection).toHaveBeenCalledOnce();
  });
});

describe("the connection test within the account's connection budget", () => {
  it('waits while the watchers hold every slot, says so once, runs when one frees, and gives it back', async () => {
    const { handlers, testConnection, pending, budget, progress } = setup();
    const watcher = await budget.acquire();
    const test = handlers['account:test']({ originalId: 'work', account });
    await vi.waitFor(() => expect(progress).toHaveBeenCalledWith(waiting));
    expect(testConnection).not.toHaveBeenCalled();
    // Meanwhile a second test is refused, not queued behind the first.
    await expect(handlers['account:test']({ account })).resolves.toMatchObject({
      ok: false,
      error: { message: 'a connection test is already running: wait for it to finish' },
    });
    watcher();
    await vi.waitFor(() => expect(testConnection).toHaveBeenCalledOnce());
    expect(budget.inUse).toBe(1);
    pending[0]?.({ ok: true, mailboxes: ['INBOX'] });
    await expect(test).resolves.toEqual({ ok: true, value: { ok: true, mailboxes: ['INBOX'] } });
    expect(budget.inUse).toBe(0);
    expect(progress).toHaveBeenCalledOnce();
  });

  it('says nothing when a slot is free, and gives it back after a failed login', async () => {
    const { handlers, pending, budget, progress, borrowed } = setup();
    const test = handlers['account:test']({ originalId: 'work', account });
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    expect(budget.inUse).toBe(1);
    pending[0]?.({ ok: false, code: 'auth', message: 'login rejected' });
    await expect(test).resolves.toMatchObject({ ok: true, value: { ok: false, code: 'auth' } });
    expect(budget.inUse).toBe(0);
    expect(progress).not.toHaveBeenCalled();
    expect(borrowed).toEqual(['work']);
  });

  it('gives up after the bound with the waiting message, never connecting', async () => {
    const { handlers, testConnection, budget, progress } = setup({ budgetWaitMs: 200 });
    const watcher = await budget.acquire();
    await expect(handlers['account:test']({ originalId: 'work', account })).resolves.toEqual({
      ok: true,
      value: {
        ok: false,
        code: 'busy',
        message:
          'waiting for a free connection: this account may use 1 at once (maxConnections); none came free in 0.2 s, so the test gave up',
      },
    });
    expect(progress).toHaveBeenCalledWith(waiting);
    expect(testConnection).not.toHaveBeenCalled();
    // The given-up test left the queue: the watcher's slot goes to nobody else.
    watcher();
    expect(budget.inUse).toBe(0);
  });

  it('stops waiting when the window closes, and the next test may run', async () => {
    const { handlers, testConnection, pending, budget, progress } = setup();
    const watcher = await budget.acquire();
    const test = handlers['account:test']({ originalId: 'work', account });
    await vi.waitFor(() => expect(progress).toHaveBeenCalledOnce());
    handlers.cancelTest();
    await expect(test).resolves.toEqual({
      ok: true,
      value: { ok: false, code: 'cancelled', message: 'the settings window closed' },
    });
    watcher();
    expect(budget.inUse).toBe(0);
    const next = handlers['account:test']({ originalId: 'work', account });
    await vi.waitFor(() => expect(testConnection).toHaveBeenCalledOnce());
    pending[0]?.({ ok: true, mailboxes: [] });
    await expect(next).resolves.toMatchObject({ ok: true, value: { ok: true } });
  });

  it('gives the slot back when the test throws (a saved sign-in that cannot be refreshed)', async () => {
    const { handlers, budget } = setup({
      signedInCredentials: () => Promise.reject(new Error('sign in again: the token was revoked')),
    });
    const oauth = {
      ...account,
      password: undefined,
      auth: 'oauth2' as const,
      oauth2: { provider: 'google' as const },
    };
    // A saved, signed-in account is needed for the test to run at all.
    const reusable = vi.spyOn(
      (await import('../../app/main/electron/settings-store.js')).SettingsStore.prototype,
      'reusableSignIn',
    );
    reusable.mockReturnValue(true);
    try {
      await expect(
        handlers['account:test']({ originalId: 'work', account: oauth }),
      ).rejects.toThrow('sign in again: the token was revoked');
    } finally {
      reusable.mockRestore();
    }
    expect(budget.inUse).toBe(0);
    // Nothing is left running: the next test is not refused.
    await expect(
      handlers['account:test']({ originalId: 'work', account: oauth }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('reads a refused certificate within the same slot and hands it to the window', async () => {
    const certificate: CertificateView = {
      fingerprint256: 'AB:CD',
      subject: 'CN=127.0.0.1',
      issuer: 'CN=127.0.0.1',
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
      problem: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
      replacesPin: false,
      pinnable: true,
    };
    let heldWhileReading = -1;
    const { handlers, pending, budget } = setup({
      inspectCertificate: async () => {
        heldWhileReading = budget.inUse;
        return certificate;
      },
    });
    const test = handlers['account:test']({ originalId: 'work', account });
    await vi.waitFor(() => expect(pending).toHaveLength(1));
    pending[0]?.({ ok: false, code: 'tls', message: 'self-signed certificate' });
    await expect(test).resolves.toEqual({
      ok: true,
      value: { ok: false, code: 'tls', message: 'self-signed certificate', certificate },
    });
    expect(heldWhileReading).toBe(1);
    expect(budget.inUse).toBe(0);
  });
});
