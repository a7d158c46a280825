import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountInput } from '../../app/common/ipc-contract.js';
import { startOAuthProvider, type OAuthProvider } from '../support/oauth-provider.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const electron = await import('electron');
const { fake } = await import('../support/electron-fake.js');
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { createSignInHandlers } = await import('../../app/main/electron/sign-in-handlers.js');
const { createAppCredentials } = await import('../../app/main/electron/app-credentials.js');
const { encryptPassword, decryptPassword } =
  await import('../../app/main/electron/safe-storage-secrets.js');
const { signIn } = await import('../../app/main/engine/auth/oauth2-sign-in.js');

// The desktop opens only https sign-in pages: the test's provider stands behind a pretend
// https authorization URL, and the test, as the browser, follows it to the real one.
const PRETEND_AUTHORIZE = 'https://idp.example.test/authorize';

let provider: OAuthProvider;
beforeAll(async () => {
  provider = await startOAuthProvider({ user: 'ann@example.test' });
});
afterAll(() => provider.stop());

function input(authorizationUrl = PRETEND_AUTHORIZE): AccountInput {
  return {
    account: {
      id: 'ann',
      host: 'imap.example.test',
      tls: 'implicit',
      user: 'ann@example.test',
      mailboxes: ['INBOX'],
      allowInsecureAuth: false,
      auth: 'oauth2',
      oauth2: {
        provider: 'custom',
        clientId: provider.clientId,
        authorizationUrl,
        tokenUrl: provider.tokenUrl,
        scope: 'mail',
      },
    },
  };
}

function setup(timeoutMs?: number) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tidings-sign-in-'));
  const store = new SettingsStore({ cwd });
  const opened: string[] = [];
  const openExternal = vi.fn(async (url: string) => void opened.push(url));
  const apply = vi.fn(async () => {});
  const handlers = createSignInHandlers({
    store,
    builtInClients: {},
    signIn,
    openExternal,
    encrypt: encryptPassword,
    apply,
    view: () => store.view(null),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  return { cwd, store, handlers, opened, openExternal, apply };
}

/** Plays the browser: follows the opened URL at the real provider, back to the listener. */
async function approve(url: string): Promise<Response> {
  const real = new URL(url);
  const target = new URL(provider.authorizationUrl);
  target.search = real.search;
  return fetch(target, { redirect: 'follow' });
}

function listenerPort(url: string): number {
  return Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? '').port);
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

describe('desktop sign-in', () => {
  it('stores only the refresh token ciphertext and shows the window the address, never a token', async () => {
    const { cwd, store, handlers, opened, apply } = setup();
    const pending = handlers['account:sign-in'](input());
    await vi.waitFor(() => expect(opened).toHaveLength(1));
    expect(new URL(opened[0] ?? '').searchParams.get('login_hint')).toBe('ann@example.test');
    const page = await approve(opened[0] ?? '');
    expect(page.status).toBe(200);
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: true, value: { ok: true, address: 'ann@example.test' } });
    expect(apply).toHaveBeenCalledWith('ann');
    const view = store.view(null).accounts[0];
    expect(view).toMatchObject({ id: 'ann', signedIn: true, auth: 'oauth2' });
    // What safeStorage was given to encrypt: the refresh token, in plain text.
    const refreshToken = String(fake.safeStorage.encryptString.mock.calls.at(-1)?.[0]);
    expect(refreshToken.length).toBeGreaterThan(10);
    const onDisk = readFileSync(path.join(cwd, 'settings.json'), 'utf8');
    expect(onDisk).not.toContain(refreshToken);
    expect(onDisk).toContain(encryptPassword(refreshToken));
    const shown = JSON.stringify(outcome) + JSON.stringify(store.engineSettings());
    expect(shown).not.toContain(refreshToken);
    expect(shown).not.toMatch(/cipher|refreshToken/);

    // The stored token logs in: the app's credential source refreshes with it.
    const credentials = createAppCredentials({
      store,
      builtInClients: {},
      encrypt: encryptPassword,
      decrypt: decryptPassword,
    });
    await expect(credentials.getCredentials('ann')).resolves.toMatchObject({ kind: 'oauth2' });
  });

  it('cancel aborts the waiting sign-in and closes its listener', async () => {
    const { handlers, opened, store } = setup();
    const pending = handlers['account:sign-in'](input());
    await vi.waitFor(() => expect(opened).toHaveLength(1));
    const port = listenerPort(opened[0] ?? '');
    await expect(refuses(port)).resolves.toBe(false);
    expect(await handlers['account:sign-in-cancel'](undefined)).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    await expect(pending).resolves.toMatchObject({
      ok: true,
      value: { ok: false, code: 'cancelled' },
    });
    await expect(refuses(port)).resolves.toBe(true);
    expect(store.view(null).accounts).toEqual([]);
    expect(await handlers['account:sign-in-cancel'](undefined)).toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });

  it('refuses a second sign-in while one waits for the browser', async () => {
    const { handlers, opened, openExternal } = setup();
    const first = handlers['account:sign-in'](input());
    await vi.waitFor(() => expect(opened).toHaveLength(1));
    await expect(handlers['account:sign-in'](input())).resolves.toMatchObject({
      ok: true,
      value: { ok: false, code: 'busy' },
    });
    expect(openExternal).toHaveBeenCalledOnce();
    await handlers['account:sign-in-cancel'](undefined);
    await first;
  });

  it('never hands a non-https sign-in address to shell.openExternal', async () => {
    const { handlers, store } = setup();
    fake.shell.openExternal.mockClear();
    // The desktop refuses http authorization URLs outright, loopback included.
    const outcome = await handlers['account:sign-in'](input(provider.authorizationUrl));
    expect(outcome).toMatchObject({ ok: true, value: { ok: false, code: 'refused-url' } });
    expect(fake.shell.openExternal).not.toHaveBeenCalled();
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
    expect(store.view(null).accounts).toEqual([]);
  });

  it('says the browser sign-in timed out, and closes the listener', async () => {
    const { handlers, opened } = setup(300);
    const pending = handlers['account:sign-in'](input());
    await vi.waitFor(() => expect(opened).toHaveLength(1));
    const port = listenerPort(opened[0] ?? '');
    await expect(pending).resolves.toMatchObject({
      ok: true,
      value: { ok: false, code: 'timeout' },
    });
    await expect(refuses(port)).resolves.toBe(true);
  });

  it('names a missing client id and says where to register one', async () => {
    const { handlers, openExternal } = setup();
    const google = input();
    google.account.oauth2 = { provider: 'google' };
    const outcome = await handlers['account:sign-in'](google);
    expect(outcome).toMatchObject({ ok: true, value: { ok: false, code: 'no-client' } });
    expect(JSON.stringify(outcome)).toContain('docs/gmail-and-microsoft-365.md');
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('says the user refused when the provider answers access_denied', async () => {
    const { handlers, opened } = setup();
    const pending = handlers['account:sign-in'](input());
    await vi.waitFor(() => expect(opened).toHaveLength(1));
    const url = new URL(opened[0] ?? '');
    const back = new URL(url.searchParams.get('redirect_uri') ?? '');
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    const page = await fetch(back);
    expect(page.status).toBe(400);
    await expect(pending).resolves.toMatchObject({
      ok: true,
      value: { ok: false, code: 'denied' },
    });
  });
});
