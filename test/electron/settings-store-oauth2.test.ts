import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AccountInput } from '../../app/common/ipc-contract.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore, signInFirst, signInAgain } =
  await import('../../app/main/electron/settings-store.js');

const binding = { tokenUrl: 'https://oauth2.googleapis.com/token', clientId: 'own-client' };
const account: AccountInput['account'] = {
  id: 'gmail',
  host: 'imap.gmail.com',
  tls: 'implicit',
  user: 'ann@gmail.com',
  mailboxes: ['INBOX'],
  allowInsecureAuth: false,
  auth: 'oauth2',
  oauth2: { provider: 'google', clientId: 'own-client', clientSecret: 'GOCSPX-secret' },
};
const encrypt = (secret: string) => `enc:${secret}`;

function signedInStore() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tidings-store-oauth2-'));
  const store = new SettingsStore({ cwd });
  expect(store.saveAccount({ account }, encrypt, { cipher: 'enc:rt-1', binding })).toEqual({
    ok: true,
    value: undefined,
  });
  return { cwd, store };
}

describe('the settings store with OAuth2 accounts', () => {
  it('refuses an OAuth2 account that has not signed in', () => {
    const store = new SettingsStore({ cwd: mkdtempSync(path.join(tmpdir(), 'tidings-store-')) });
    expect(store.saveAccount({ account }, encrypt)).toMatchObject({
      ok: false,
      error: { fields: { signIn: signInFirst } },
    });
  });

  it('keeps the refresh token beside the account, out of the view and the engine settings', () => {
    const { store } = signedInStore();
    expect(store.view(null).accounts[0]).toEqual({
      id: 'gmail',
      host: 'imap.gmail.com',
      tls: 'implicit',
      user: 'ann@gmail.com',
      mailboxes: ['INBOX'],
      allowInsecureAuth: false,
      auth: 'oauth2',
      oauth2: { provider: 'google', clientId: 'own-client' },
      hasClientSecret: true,
      hasPassword: false,
      signedIn: true,
    });
    expect(JSON.stringify(store.engineSettings())).not.toContain('rt-1');
    expect(store.refreshToken('gmail', binding)).toBe('enc:rt-1');
  });

  it('hands a refresh token out only for the token URL and client it was issued to', () => {
    const { store } = signedInStore();
    expect(store.refreshToken('gmail', { ...binding, clientId: 'other' })).toBeUndefined();
    expect(store.refreshToken('gmail', { ...binding, tokenUrl: 'https://evil.test/token' })).toBe(
      undefined,
    );
  });

  it('saves a rotated refresh token atomically to the file', () => {
    const { cwd, store } = signedInStore();
    expect(store.saveRefreshToken('gmail', { cipher: 'enc:rt-2', binding }).ok).toBe(true);
    expect(new SettingsStore({ cwd }).refreshToken('gmail', binding)).toBe('enc:rt-2');
    expect(readFileSync(path.join(cwd, 'settings.json'), 'utf8')).not.toContain('rt-1');
    expect(store.saveRefreshToken('gone', { cipher: 'x', binding }).ok).toBe(false);
  });

  it('keeps the sign-in and client secret across an edit of other fields, and drops it for another user', () => {
    const { store } = signedInStore();
    const { clientSecret: _s, ...oauth2 } = account.oauth2 ?? { provider: 'google' };
    const renamed = { ...account, name: 'Gmail', oauth2 };
    expect(store.saveAccount({ originalId: 'gmail', account: renamed }, encrypt).ok).toBe(true);
    expect(store.refreshToken('gmail', binding)).toBe('enc:rt-1');
    expect(store.view(null).accounts[0]?.hasClientSecret).toBe(true);
    const bob = { ...renamed, user: 'bob@gmail.com' };
    expect(store.saveAccount({ originalId: 'gmail', account: bob }, encrypt)).toMatchObject({
      ok: false,
      error: { fields: { signIn: signInAgain } },
    });
  });

  it('drops the sign-in when an edit points the account at another server, port, security, CA or pin', () => {
    // A token for a full mailbox must not follow the account to imap.evil.test in clear text.
    for (const change of [
      { host: 'imap.evil.test' },
      { port: 143 },
      { tls: 'none' as const, allowInsecureAuth: true },
      { caFile: '/tmp/evil-ca.pem' },
      { certificateFingerprint: 'AB'.repeat(32) },
    ]) {
      const { store } = signedInStore();
      const moved = { ...account, ...change };
      expect(
        store.saveAccount({ originalId: 'gmail', account: moved }, encrypt),
        JSON.stringify(change),
      ).toMatchObject({
        ok: false,
        error: { fields: { signIn: signInAgain } },
      });
      // Nor may "Test connection" use it there.
      expect(store.reusableSignIn({ originalId: 'gmail', account: moved })).toBe(false);
      expect(store.refreshToken('gmail', binding)).toBe('enc:rt-1');
    }
  });
});
