import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountInput } from '../../app/common/ipc-contract.js';
import { startOAuthProvider, type OAuthProvider } from '../support/oauth-provider.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { createAppCredentials } = await import('../../app/main/electron/app-credentials.js');
const { encryptPassword, decryptPassword } =
  await import('../../app/main/electron/safe-storage-secrets.js');

let provider: OAuthProvider;
beforeAll(async () => {
  provider = await startOAuthProvider({ rotateRefreshTokens: true });
});
afterAll(() => provider.stop());

function oauth2Account(clientId = provider.clientId): AccountInput['account'] {
  return {
    id: 'idp',
    host: 'imap.example.test',
    tls: 'implicit',
    user: 'ann',
    mailboxes: ['INBOX'],
    allowInsecureAuth: false,
    auth: 'oauth2',
    oauth2: {
      provider: 'custom',
      clientId,
      authorizationUrl: 'https://idp.example.test/authorize',
      tokenUrl: provider.tokenUrl,
      scope: 'mail',
    },
  };
}

function setup() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tidings-credentials-'));
  const store = new SettingsStore({ cwd });
  const seed = provider.issueRefreshToken('ann');
  const binding = { tokenUrl: provider.tokenUrl, clientId: provider.clientId };
  store.saveAccount({ account: oauth2Account() }, encryptPassword, {
    cipher: encryptPassword(seed),
    binding,
  });
  store.saveAccount(
    {
      account: {
        id: 'pw',
        host: 'imap.example.test',
        tls: 'implicit',
        user: 'bob',
        mailboxes: ['INBOX'],
        allowInsecureAuth: false,
        password: 'hunter2',
      },
    },
    encryptPassword,
  );
  const credentials = () =>
    createAppCredentials({
      store,
      builtInClients: {},
      encrypt: encryptPassword,
      decrypt: decryptPassword,
    });
  return { cwd, store, seed, binding, credentials };
}

describe("the app's credential source", () => {
  it('gives passwords for password accounts and access tokens for OAuth2 ones', async () => {
    const { credentials } = setup();
    const source = credentials();
    await expect(source.getCredentials('pw')).resolves.toEqual({
      kind: 'password',
      password: 'hunter2',
    });
    await expect(source.getCredentials('idp')).resolves.toMatchObject({ kind: 'oauth2' });
  });

  it('stores a rotated refresh token encrypted, so a restarted app refreshes with it', async () => {
    const { cwd, seed, binding, credentials } = setup();
    await credentials().getCredentials('idp');
    const reopened = new SettingsStore({ cwd });
    const cipher = reopened.refreshToken('idp', binding) ?? '';
    const rotated = decryptPassword(cipher);
    expect(rotated).not.toBe(seed);
    expect(cipher).not.toContain(rotated);
    // The provider retired the seed: only the saved rotated token still refreshes.
    const again = createAppCredentials({
      store: reopened,
      builtInClients: {},
      encrypt: encryptPassword,
      decrypt: decryptPassword,
    });
    await expect(again.getCredentials('idp', { forceRefresh: true })).resolves.toMatchObject({
      kind: 'oauth2',
    });
  });

  it('never sends a refresh token to another client than the one it was issued to', async () => {
    const { store, credentials } = setup();
    const refreshes = provider.counts.refresh;
    // An edit that keeps an old token with a new client (as a hand-edited file could).
    const saved = store.saveAccount(
      { originalId: 'idp', account: oauth2Account('another-client') },
      encryptPassword,
      {
        cipher: encryptPassword('belongs-to-tidings-test-client'),
        binding: { tokenUrl: provider.tokenUrl, clientId: provider.clientId },
      },
    );
    expect(saved.ok).toBe(true);
    await expect(credentials().getCredentials('idp')).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringMatching(/sign in again/),
    });
    expect(provider.counts.refresh).toBe(refreshes);
  });

  it('asks to sign in again when the provider calls the grant dead', async () => {
    const { seed, credentials } = setup();
    provider.revoke(seed);
    await expect(credentials().getCredentials('idp')).rejects.toMatchObject({ code: 'auth' });
  });

  it('names a missing client id for a built-in provider', async () => {
    const { store, credentials } = setup();
    const google = { ...oauth2Account(), oauth2: { provider: 'google' as const } };
    const saved = store.saveAccount({ originalId: 'idp', account: google }, encryptPassword, {
      cipher: encryptPassword('x'),
      binding: { tokenUrl: 'https://oauth2.googleapis.com/token', clientId: 'none' },
    });
    expect(saved.ok).toBe(true);
    await expect(credentials().getCredentials('idp')).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/no OAuth2 client id for google/),
    });
  });
});
