/**
 * app/main/index.ts with an OAuth2 account, the mocked electron module and a real engine
 * against Dovecot's oauth2 passdb (XOAUTH2/OAUTHBEARER checked by introspection at the local
 * identity provider): signed in through `account:sign-in`, the account reaches idle and the
 * tray shows it; the settings file holds only ciphertext; a revoked grant asks to sign in again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { FakeBrowserWindow, FakeTray, fake } from '../support/electron-fake.js';
import { startOAuthProvider, type OAuthProvider } from '../support/oauth-provider.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());

type Handler = (
  event: IpcMainInvokeEvent,
  payload?: unknown,
) => Promise<{ ok: boolean; value?: unknown }>;

let provider: OAuthProvider;
let dovecot: Dovecot;
beforeAll(async () => {
  provider = await startOAuthProvider({ rotateRefreshTokens: true });
  dovecot = await startDovecot({}, undefined, {
    oauth2: { introspectionUrl: provider.introspectionUrl },
  });
  dovecot.addUser('ann', 'append-only');
});
afterAll(async () => {
  await dovecot?.stop();
  await provider?.stop();
});

function handler(channel: string): Handler {
  const call = fake.ipcMain.handle.mock.calls.find(([name]) => name === channel);
  if (!call) throw new Error(`no handler for ${channel}`);
  return call[1] as Handler;
}

function trayLabels(tray: FakeTray): string[] {
  return (tray.menu?.template as Array<{ label?: string }>).map((item) => item.label ?? '');
}

describe('the composition root with an OAuth2 account', () => {
  it('signs in through the browser, reaches idle against Dovecot, and shows it in the tray', async () => {
    // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
    await import('../../app/main/index.ts?oauth2');
    await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    const window = FakeBrowserWindow.made.at(-1);
    const ours = {
      sender: window?.webContents,
      senderFrame: window?.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;
    const account = {
      id: 'idp',
      host: dovecot.host,
      port: dovecot.port,
      tls: 'none',
      allowInsecureAuth: true,
      user: 'ann',
      mailboxes: ['INBOX'],
      auth: 'oauth2',
      oauth2: {
        provider: 'custom',
        clientId: provider.clientId,
        // The desktop opens only https sign-in pages: a pretend one, which the test (the
        // browser) follows to the real provider.
        authorizationUrl: 'https://idp.example.test/authorize',
        tokenUrl: provider.tokenUrl,
        scope: 'mail',
      },
    };
    fake.shell.openExternal.mockClear();
    const signingIn = handler('account:sign-in')(ours, { account });
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledOnce());
    const opened = new URL(String(fake.shell.openExternal.mock.calls[0]?.[0]));
    const real = new URL(provider.authorizationUrl);
    real.search = opened.search;
    expect((await fetch(real)).status).toBe(200);
    const signedIn = await signingIn;
    expect(signedIn).toMatchObject({
      ok: true,
      value: { ok: true, address: 'ann', settings: { accounts: [{ id: 'idp', signedIn: true }] } },
    });

    // "Test connection" logs in with the stored sign-in, only to the server it was saved for.
    const edit = { originalId: 'idp', account };
    await expect(handler('account:test')(ours, edit)).resolves.toEqual({
      ok: true,
      value: { ok: true, mailboxes: ['INBOX'] },
    });
    const moved = { originalId: 'idp', account: { ...account, port: dovecot.port + 1 } };
    await expect(handler('account:test')(ours, moved)).resolves.toMatchObject({
      ok: false,
      error: { fields: { signIn: expect.stringMatching(/sign in first/) } },
    });

    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(() => expect(trayLabels(tray)[0]).toBe('idp — no unread mail'), {
      timeout: 10_000,
    });
    // Dovecot's oauth2 passdb checked the access token at the provider: an OAuth2 login.
    expect(provider.counts.introspect).toBeGreaterThan(0);
    expect(provider.counts.authorizationCode).toBe(1);

    // Only ciphertext at rest, and no token in the view or the log.
    const refreshToken = String(fake.safeStorage.encryptString.mock.calls.at(-1)?.[0]);
    const settingsFile = readFileSync(path.join(fake.userData, 'settings.json'), 'utf8');
    const log = readFileSync(path.join(fake.userData, 'logs', 'tidings.log'), 'utf8');
    const view = await handler('settings:get')(ours);
    for (const text of [settingsFile, log, JSON.stringify(view), JSON.stringify(signedIn)]) {
      expect(text).not.toContain(refreshToken);
    }

    // The user revokes Tidings at the provider: after a reconnect the access token is refused,
    // the forced refresh answers invalid_grant, and the tray asks to sign in again.
    provider.revoke(refreshToken);
    provider.expireAccessTokens();
    await dovecot.restart();
    await vi.waitFor(() => expect(trayLabels(tray)[0]).toBe('idp — sign in again…'), {
      timeout: 15_000,
    });
    const statuses = await handler('status:get')(ours);
    expect(statuses).toMatchObject({ ok: true, value: [{ account: 'idp', state: 'auth-failed' }] });

    // Signing in again, then closing the window: the sign-in is cancelled, its listener shut.
    fake.shell.openExternal.mockClear();
    const again = handler('account:sign-in')(ours, { originalId: 'idp', account });
    await vi.waitFor(() => expect(fake.shell.openExternal).toHaveBeenCalledOnce());
    const reopened = new URL(String(fake.shell.openExternal.mock.calls[0]?.[0]));
    const listener = new URL(reopened.searchParams.get('redirect_uri') ?? '');
    window?.close();
    await expect(again).resolves.toMatchObject({
      ok: true,
      value: { ok: false, code: 'cancelled' },
    });
    await expect(fetch(listener)).rejects.toThrow();

    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });
});
