/**
 * The settings window in Debian's Chromium (playwright-core), loaded from the built files as
 * Electron loads them (file://, with its CSP), talking to a fake preload bridge. Screenshots
 * go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsView, StatusView } from '../../app/common/ipc-contract.js';
import { installFakeBridge, type FakeBridgeSetup } from '../support/fake-bridge.js';

const root = path.join(import.meta.dirname, '..', '..');
const pageUrl = pathToFileURL(path.join(root, 'dist/renderer/index.html')).href;
const shots = path.join(root, 'test-results');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

const emptySettings: SettingsView = {
  accounts: [],
  notifications: { burstThreshold: 5, sound: true, showSubject: true },
  liveness: { heartbeatSeconds: 60, commandTimeoutSeconds: 15, maxBackoffSeconds: 300 },
  startAtLogin: false,
  secretStorageWarning: null,
};

const work = {
  id: 'work',
  name: 'Work',
  host: 'imap.example.com',
  tls: 'implicit' as const,
  user: 'ann@example.com',
  mailboxes: ['INBOX', 'Team'],
  allowInsecureAuth: false,
  hasPassword: true,
};

async function open(
  setup: Partial<FakeBridgeSetup> = {},
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ colorScheme, viewport: { width: 760, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  const bridge: FakeBridgeSetup = {
    settings: emptySettings,
    statuses: [],
    testResult: { ok: true, mailboxes: ['INBOX', 'Archive', 'Team'] },
    ...setup,
  };
  await page.addInitScript(installFakeBridge, bridge);
  await page.goto(pageUrl);
  return { page, errors };
}

async function calls(page: Page, method: string): Promise<unknown[][]> {
  return page.evaluate(
    (name) =>
      (window as unknown as { __calls: Array<{ method: string; args: unknown[] }> }).__calls
        .filter((call) => call.method === name)
        .map((call) => call.args),
    method,
  );
}

describe('settings window', () => {
  it('adds an account: test connection, pick mailboxes from the server, save', async () => {
    const { page, errors } = await open();
    // With no accounts the form opens by itself.
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Work Mail');
    await page.getByLabel('User name').fill('ann@example.com');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByLabel('IMAP server').fill('imap.example.com');
    // The plaintext opt-in only shows for an unencrypted connection.
    expect(await page.locator('#insecure-field').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 3 mailboxes found.');
    await page.getByLabel('Team').check();
    await page.screenshot({ path: path.join(shots, 'settings-add-account.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('[data-account="work-mail"]').isVisible()).toBe(true);

    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ account: Record<string, unknown> }],
    ];
    expect(saved.account).toMatchObject({
      id: 'work-mail',
      name: 'Work Mail',
      user: 'ann@example.com',
      password: 's3cret',
      host: 'imap.example.com',
      tls: 'implicit',
      mailboxes: ['INBOX', 'Team'],
    });
    expect(errors).toEqual([]);
  });

  it('shows validation errors beside their fields and focuses the first', async () => {
    const { page } = await open();
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect
      .poll(() => page.locator('#f-user-error').textContent())
      .toMatch(/Enter the user name/);
    expect(await page.locator('#f-host-error').textContent()).toMatch(/Enter the IMAP server/);
    expect(await page.locator('#f-password-error').textContent()).toBe('Enter the password.');
    expect(await page.locator('#f-user').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-user');

    await page.getByLabel('Port').fill('99999');
    await page.getByLabel('Security').selectOption('none');
    expect(await page.locator('#insecure-field').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect
      .poll(() => page.locator('#f-port-error').textContent())
      .toBe('Ports go from 1 to 65535.');
    expect(await page.locator('#f-tls-error').textContent()).toMatch(/tick the box below/);
    await page.screenshot({ path: path.join(shots, 'settings-validation.png'), fullPage: true });
    expect(await calls(page, 'saveAccount')).toEqual([]);
  });

  it('asks for the password again when an edit points the account at another server', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('placeholder')).toBe('stored — leave empty to keep');
    await page.getByLabel('IMAP server').fill('imap.elsewhere.example');
    expect(await password.getAttribute('placeholder')).toMatch(/enter the password again/);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect
      .poll(() => page.locator('#f-password-error').textContent())
      .toMatch(/enter the password again/);
    expect(await calls(page, 'saveAccount')).toEqual([]);
    expect(await calls(page, 'testAccount')).toEqual([]);
    // Back to the saved server (any case): the stored password applies again.
    await page.getByLabel('IMAP server').fill('IMAP.example.com');
    await page.getByLabel('Webmail address').fill('http://mail.example.com/');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('#f-openUrl-error').textContent()).toMatch(/https:\/\//);
    expect(await page.locator('#f-password-error').textContent()).toBe('');
  });

  it("shows main's field errors when it refuses a save", async () => {
    const { page } = await open({
      saveErrors: { host: 'must not be empty', id: '"work" is already taken' },
    });
    await page.getByLabel('User name').fill('ann');
    await page.getByLabel('Password', { exact: true }).fill('pw');
    await page.getByLabel('IMAP server').fill('imap.example.com');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('#f-host-error').textContent()).toBe('must not be empty');
    expect(await page.locator('#f-name-error').textContent()).toBe('"work" is already taken');
    expect(await page.locator('#form-error').textContent()).toBe('account:save: invalid request');
  });

  it('names the exact failure of a connection test', async () => {
    const { page } = await open({
      testResult: { ok: false, code: 'auth', message: 'login rejected: Authentication failed.' },
    });
    await page.getByLabel('User name').fill('ann');
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByLabel('IMAP server').fill('imap.example.com');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Login rejected: Authentication failed.');
  });

  it('shows live status changes pushed by main, and never renders wire text as markup', async () => {
    const hostile = { ...work, name: '<img src=x onerror="window.__owned=1">Work' };
    const { page } = await open({ settings: { ...emptySettings, accounts: [hostile] } });
    const push = (statuses: StatusView[]) =>
      page.evaluate(
        (s) => (window as unknown as { __pushStatus(s: unknown): void }).__pushStatus(s),
        statuses,
      );
    await push([
      { account: 'work', mailbox: 'INBOX', state: 'idle', detail: 'watching, 3 unread', unread: 3 },
      {
        account: 'work',
        mailbox: 'Team',
        state: 'connecting',
        detail: 'imap.example.com:993',
        unread: null,
      },
    ]);
    const inbox = page.locator('[data-mailbox="INBOX"] .state');
    await expect.poll(() => inbox.getAttribute('data-state')).toBe('idle');
    expect(await page.locator('[data-mailbox="INBOX"]').textContent()).toContain('3 unread');

    await push([
      {
        account: 'work',
        mailbox: 'INBOX',
        state: 'auth-failed',
        detail: 'login rejected: bad password',
        unread: 3,
      },
      { account: 'work', mailbox: 'Team', state: 'idle', detail: 'watching', unread: 0 },
    ]);
    await expect.poll(() => inbox.getAttribute('data-state')).toBe('auth-failed');
    expect(await page.locator('[data-mailbox="INBOX"]').textContent()).toContain(
      'login rejected: bad password',
    );
    expect(await page.locator('.account-title strong').textContent()).toBe(hostile.name);
    expect(
      await page.evaluate(() => (window as unknown as { __owned?: number }).__owned),
    ).toBeUndefined();
    await page.screenshot({ path: path.join(shots, 'settings-accounts.png'), fullPage: true });
  });

  it('can be used with the keyboard alone', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await expect.poll(() => page.locator('[data-account="work"]').isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-account');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-name');
    await page.keyboard.type('Home');
    await page.keyboard.press('Tab');
    await page.keyboard.type('me@home.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('pw');
    await page.keyboard.press('Tab');
    await page.keyboard.type('imap.home.test');
    await page.keyboard.press('Enter'); // submits the form
    await expect.poll(() => page.locator('[data-account="home"]').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-account');
    const focusRing = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(focusRing).toBe('solid');
  });

  it('saves notification preferences', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByLabel('Summarise when more than').fill('12');
    await page.getByLabel('Show sender and subject').uncheck();
    await page.getByLabel('Start Tidings when I log in').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await calls(page, 'savePreferences')).toEqual([
      [
        {
          notifications: { burstThreshold: 12, sound: true, showSubject: false },
          startAtLogin: true,
        },
      ],
    ]);
  });

  it('is readable in dark mode and shows the storage warning', async () => {
    const warning = 'No keyring was found: passwords are stored obfuscated, not encrypted.';
    const { page } = await open(
      { settings: { ...emptySettings, accounts: [work], secretStorageWarning: warning } },
      'dark',
    );
    await expect.poll(() => page.locator('#storage-warning').textContent()).toBe(warning);
    const colours = await page.evaluate(() => {
      const style = getComputedStyle(document.body);
      return { fg: style.color, bg: style.backgroundColor };
    });
    expect(colours).toEqual({ fg: 'rgb(230, 232, 235)', bg: 'rgb(21, 24, 28)' });
    await page.screenshot({ path: path.join(shots, 'settings-dark.png'), fullPage: true });
  });
});
