import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionTestResult } from '../../app/common/ipc-contract.js';

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

function setup() {
  const store = new SettingsStore({ cwd: mkdtempSync(path.join(tmpdir(), 'tidings-handlers-')) });
  const pending: Array<(result: ConnectionTestResult) => void> = [];
  const testConnection = vi.fn(
    () => new Promise<ConnectionTestResult>((resolve) => pending.push(resolve)),
  );
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
  });
  return { handlers, testConnection, pending };
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
