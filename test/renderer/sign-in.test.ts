/**
 * "Sign in with Google / Microsoft" in the settings window, in Chromium against the fake
 * bridge: the waiting state with Cancel, the signed-in address, named errors, "Sign in again"
 * in the list, keyboard use and dark mode. The window never sees a token.
 */
import { describe, expect, it } from 'vitest';
import type { AccountView, StatusView } from '../../app/common/ipc-contract.js';
import { calls, emptySettings, focusedId, shot, useSettingsWindow } from './settings-page.js';

const open = useSettingsWindow();

const gmail: AccountView = {
  id: 'gmail',
  name: 'Gmail',
  host: 'imap.gmail.com',
  tls: 'implicit',
  user: 'ann@gmail.com',
  mailboxes: ['INBOX'],
  allowInsecureAuth: false,
  hasPassword: false,
  auth: 'oauth2',
  oauth2: { provider: 'google' },
  hasClientSecret: false,
  signedIn: true,
};

describe('signing in with Google or Microsoft', () => {
  it('adds a Gmail account: waits for the browser, then says who is signed in', async () => {
    const { page, errors } = await open();
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Gmail');
    await page.getByLabel('User name').fill('ann@gmail.com');
    await page.getByLabel('Sign-in', { exact: true }).selectOption('google');
    // No password: the provider's page takes it.
    expect(await page.locator('#password-field').isVisible()).toBe(false);
    // "Test connection" logs in with the stored sign-in: none yet.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('#f-signIn-error').textContent()).toBe('Sign in first.');
    expect(await calls(page, 'testAccount')).toEqual([]);
    expect(await page.getByLabel('IMAP server').inputValue()).toBe('imap.gmail.com');
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Waiting' }).textContent())
      .toBe('Waiting for the browser… Finish signing in there, or cancel.');
    expect(await focusedId(page)).toBe('cancel-sign-in');
    expect(await page.locator('#sign-in').isDisabled()).toBe(true);
    await page.screenshot({ path: shot('sign-in-waiting.png'), fullPage: true });

    const [[request]] = (await calls(page, 'signIn')) as [[{ account: Record<string, unknown> }]];
    expect(request.account).toMatchObject({
      id: 'gmail',
      user: 'ann@gmail.com',
      host: 'imap.gmail.com',
      auth: 'oauth2',
      oauth2: { provider: 'google' },
    });
    expect(request.account.password).toBeUndefined();

    await page.evaluate(() => (window as unknown as { __finishSignIn(): void }).__finishSignIn());
    await expect
      .poll(() => page.locator('#sign-in-status').textContent())
      .toBe('Signed in as ann@gmail.com.');
    expect(await page.locator('#sign-in').textContent()).toBe('Sign in again');
    expect(await page.locator('#cancel-sign-in').isVisible()).toBe(false);
    expect(await page.locator('#editor-title').textContent()).toBe('Edit Gmail');
    await page.screenshot({ path: shot('sign-in-done.png'), fullPage: true });

    // Saving now edits the signed-in account; nothing secret is sent.
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('[data-account="gmail"]').isVisible()).toBe(true);
    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ originalId?: string; account: Record<string, unknown> }],
    ];
    expect(saved).toMatchObject({ originalId: 'gmail', account: { auth: 'oauth2' } });
    expect(saved.account.password).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('cancels a waiting sign-in from the keyboard', async () => {
    const { page } = await open();
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('User name').fill('ann@outlook.com');
    await page.getByLabel('Sign-in', { exact: true }).selectOption('microsoft');
    expect(await page.getByLabel('IMAP server').inputValue()).toBe('outlook.office365.com');
    await page.locator('#sign-in').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focusedId(page)).toBe('cancel-sign-in');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#f-signIn-error').textContent())
      .toBe('Sign-in cancelled.');
    expect(await calls(page, 'cancelSignIn')).toHaveLength(1);
    expect(await focusedId(page)).toBe('sign-in');
    expect(await page.locator('#sign-in').textContent()).toBe('Sign in with Microsoft');
  });

  it('names each failure: no client id (and where to get one), access denied, timeout', async () => {
    const { page } = await open({}, 'dark');
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('User name').fill('ann@gmail.com');
    await page.getByLabel('Sign-in', { exact: true }).selectOption('google');
    const fail = async (code: string) => {
      await page.locator('#sign-in').click();
      await expect.poll(() => page.locator('#cancel-sign-in').isVisible()).toBe(true);
      await page.evaluate(
        (code) =>
          (window as unknown as { __finishSignIn(o: unknown): void }).__finishSignIn({
            ok: false,
            code,
            message: `engine says ${code}`,
          }),
        code,
      );
      await expect.poll(() => page.locator('#cancel-sign-in').isVisible()).toBe(false);
      return page.locator('#f-signIn-error').textContent();
    };
    expect(await fail('no-client')).toMatch(
      /no OAuth client.*Register your own client \(Tidings’ documentation, “Gmail and Microsoft 365”: docs\/gmail-and-microsoft-365\.md\)/,
    );
    expect(await page.getByLabel('Client id').isVisible()).toBe(true);
    await page.screenshot({ path: shot('sign-in-no-client-dark.png'), fullPage: true });
    expect(await fail('denied')).toMatch(/refused in the browser \(access denied\)/);
    expect(await fail('timeout')).toMatch(/not finished in the browser in time/);
    expect(await fail('failed')).toBe('Sign-in failed: engine says failed');
    expect(await page.locator('#sign-in-status').textContent()).toBe('Not signed in yet.');
  });

  it('refuses to save an OAuth2 account before it has signed in', async () => {
    const { page } = await open();
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('User name').fill('ann@gmail.com');
    await page.getByLabel('Sign-in', { exact: true }).selectOption('google');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('#f-signIn-error').textContent()).toBe('Sign in first.');
    expect(await focusedId(page)).toBe('sign-in');
    expect(await calls(page, 'saveAccount')).toEqual([]);
  });

  it('offers "Sign in again" in the list when the provider no longer accepts the sign-in', async () => {
    const refused: StatusView = {
      account: 'gmail',
      mailbox: 'INBOX',
      state: 'auth-failed',
      detail: 'the provider refused the refresh token (invalid_grant): sign in again',
      unread: null,
    };
    const { page, errors } = await open({
      settings: { ...emptySettings, accounts: [gmail] },
      statuses: [refused],
    });
    const item = page.locator('[data-account="gmail"]');
    await expect.poll(() => item.locator('[data-state]').textContent()).toBe('sign in again');
    const again = page.getByRole('button', { name: 'Sign in to Gmail again' });
    await page.screenshot({ path: shot('sign-in-again-list.png'), fullPage: true });
    await again.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await expect.poll(async () => (await calls(page, 'signIn')).length).toBe(1);
    const [[request]] = (await calls(page, 'signIn')) as [[{ originalId?: string }]];
    expect(request.originalId).toBe('gmail');
    expect(await page.locator('#sign-in-status').textContent()).toMatch(/^Waiting for the browser/);
    expect(errors).toEqual([]);
  });

  it('shows a stored sign-in when editing, and no button when the account is fine', async () => {
    const { page } = await open({
      settings: { ...emptySettings, accounts: [gmail] },
      statuses: [{ account: 'gmail', mailbox: 'INBOX', state: 'idle', detail: '', unread: 2 }],
    });
    await expect.poll(() => page.locator('[data-account="gmail"]').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign in to Gmail again' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Edit Gmail' }).click();
    expect(await page.getByLabel('Sign-in', { exact: true }).inputValue()).toBe('google');
    expect(await page.locator('#sign-in-status').textContent()).toBe('Signed in as ann@gmail.com.');
    expect(await page.locator('#sign-in').textContent()).toBe('Sign in again');
  });
});
