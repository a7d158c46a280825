/**
 * "Email address" first in the settings window, in Chromium against the fake bridge, whose
 * table stands in for main's resolver (presets, a domain's autoconfig XML, nothing found):
 * the form is filled and says where the settings came from; "Manual settings" opens when
 * nothing was found; editing shows the manual fields as before. Keyboard use and dark mode.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AutoconfigView } from '../../app/common/ipc-contract.js';
import { calls, emptySettings, focusedId, shot, useSettingsWindow, work } from './settings-page.js';
import { resolvedAnswers } from '../support/resolved-accounts.js';

const open = useSettingsWindow();

// As main's resolver answers (test/electron/autoconfig-handlers.test.ts checks these against
// the real one).
const autoconfig: Record<string, AutoconfigView> = resolvedAnswers;

async function openNew(colorScheme: 'light' | 'dark' = 'light', autoconfigDelayMs = 0) {
  const opened = await open({ autoconfig, autoconfigDelayMs }, colorScheme);
  await expect.poll(() => opened.page.locator('#account-editor').isVisible()).toBe(true);
  return opened;
}

const value = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();
const status = (page: Page) => page.locator('#f-email-status').textContent();

describe('adding an account from its email address', () => {
  it('asks for the address first, with the server fields under a closed "Manual settings"', async () => {
    const { page, errors } = await openNew();
    expect(await focusedId(page)).toBe('f-email');
    expect(await page.getByLabel('Email address').isVisible()).toBe(true);
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(false);
    expect(await page.locator('#manual-settings').getAttribute('open')).toBeNull();
    await page.screenshot({ path: shot('settings-email-first.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('fills Gmail from ann@gmail.com: server, TLS, port, Google sign-in, webmail, and says where from', async () => {
    const { page, errors } = await openNew('light', 300);
    await page.getByLabel('Email address').fill('ann@gmail.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page)).toBe('Looking up settings…');
    await expect.poll(() => status(page)).toBe("Found in Gmail's settings.");
    expect(await value(page, 'IMAP server')).toBe('imap.gmail.com');
    expect(await value(page, 'Port')).toBe('993');
    expect(await value(page, 'Security')).toBe('implicit');
    expect(await value(page, 'User name')).toBe('ann@gmail.com');
    expect(await value(page, 'Sign-in')).toBe('google');
    expect(await page.locator('#f-openUrl').inputValue()).toBe(autoconfig['gmail.com']?.openUrl);
    expect(await page.locator('#sign-in-panel').isVisible()).toBe(true);
    expect(await page.locator('#password-field').isVisible()).toBe(false);
    // Next step by keyboard: the sign-in button.
    expect(await focusedId(page)).toBe('sign-in');
    expect(await calls(page, 'autoconfigure')).toEqual([['ann@gmail.com']]);
    // "Manual settings" stays closed but can be opened to see or change what was filled.
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(false);
    await page.screenshot({ path: shot('settings-email-found.png'), fullPage: true });
    await page.locator('#manual-settings > summary').click();
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('fills Microsoft from bob@outlook.com when the address field is left', async () => {
    const { page } = await openNew();
    await page.getByLabel('Email address').fill('bob@outlook.com');
    await page.keyboard.press('Tab');
    await expect.poll(() => status(page)).toBe("Found in Outlook's settings.");
    expect(await value(page, 'IMAP server')).toBe('outlook.office365.com');
    expect(await value(page, 'Sign-in')).toBe('microsoft');
    expect(await page.locator('#sign-in').textContent()).toBe('Sign in with Microsoft');
    // Leaving the field did not move focus away from where the user went.
    expect(await focusedId(page)).toBe('email-continue');
    // Leaving it again with the same address asks nothing new.
    await page.getByLabel('Email address').focus();
    await page.keyboard.press('Tab');
    expect(await calls(page, 'autoconfigure')).toEqual([['bob@outlook.com']]);
  });

  it("takes carol@autoconfig.example.test's server and user name from its autoconfig, and saves them", async () => {
    const { page, errors } = await openNew();
    await page.getByLabel('Email address').fill('carol@autoconfig.example.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => status(page)).toBe("From autoconfig.example.test's autoconfig.");
    expect(await value(page, 'IMAP server')).toBe('mail.autoconfig.example.test');
    expect(await value(page, 'Security')).toBe('starttls');
    expect(await value(page, 'Port')).toBe('143');
    expect(await value(page, 'User name')).toBe('carol');
    expect(await value(page, 'Sign-in')).toBe('password');
    expect(await focusedId(page)).toBe('f-password');
    await page.keyboard.type('s3cret');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(async () => (await calls(page, 'saveAccount')).length).toBe(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as [[{ account: object }]];
    expect(saved.account).toMatchObject({
      host: 'mail.autoconfig.example.test',
      port: 143,
      tls: 'starttls',
      user: 'carol',
      password: 's3cret',
    });
    expect(errors).toEqual([]);
  });

  it('shows a server only DNS named outside the domain and asks, filling nothing until "Use this server"', async () => {
    const { page, errors } = await openNew();
    await page.getByLabel('Email address').fill('ann@dns.example.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => status(page))
      .toBe("From dns.example.test's DNS (SRV records). It needs your confirmation.");
    const confirm = page.getByRole('group', { name: 'Is imap.elsewhere.test your mail server?' });
    expect(await confirm.isVisible()).toBe(true);
    expect(await page.locator('#server-confirm-reason').textContent()).toContain(
      "imap.elsewhere.test is not in example.test, and only dns.example.test's DNS named it",
    );
    expect(await focusedId(page)).toBe('server-confirm-manual');
    await page.screenshot({ path: shot('settings-email-confirm.png'), fullPage: true });
    // Unconfirmed, the answer is nowhere in the form: saving now cannot send a password there.
    expect(await value(page, 'IMAP server')).toBe('');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByRole('button', { name: 'Save account' }).click();
    expect(await calls(page, 'saveAccount')).toEqual([]);

    await page.getByRole('button', { name: 'Use this server' }).click();
    expect(await confirm.isVisible()).toBe(false);
    expect(await value(page, 'IMAP server')).toBe('imap.elsewhere.test');
    expect(await value(page, 'Port')).toBe('993');
    expect(await focusedId(page)).toBe('f-password');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(async () => (await calls(page, 'saveAccount')).length).toBe(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as [[{ account: object }]];
    expect(saved.account).toMatchObject({ host: 'imap.elsewhere.test', port: 993 });
    expect(errors).toEqual([]);
  });

  it('opens "Manual settings" empty when the user declines a server only DNS named', async () => {
    const { page } = await openNew();
    await page.getByLabel('Email address').fill('ann@dns.example.test');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Enter the server myself' }).click();
    expect(await page.locator('#server-confirm').isVisible()).toBe(false);
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(true);
    expect(await value(page, 'IMAP server')).toBe('');
    expect(await value(page, 'User name')).toBe('ann@dns.example.test');
    expect(await focusedId(page)).toBe('f-host');
  });

  it('opens "Manual settings" with the reason when nothing is found for the domain', async () => {
    const { page, errors } = await openNew();
    await page.getByLabel('Email address').fill('dan@unknown.example.test');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => status(page))
      .toBe('We could not find settings for unknown.example.test: enter them below.');
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('f-host');
    expect(await value(page, 'IMAP server')).toBe('');
    expect(await value(page, 'User name')).toBe('dan@unknown.example.test');
    await page.screenshot({ path: shot('settings-email-manual.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('clears what an earlier lookup filled when the next address finds nothing', async () => {
    const { page } = await openNew();
    const email = page.getByLabel('Email address');
    await email.fill('ann@gmail.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => value(page, 'IMAP server')).toBe('imap.gmail.com');
    await email.fill('ann@unknown.example.test');
    await email.press('Enter');
    await expect.poll(() => status(page)).toMatch(/^We could not find settings/);
    expect(await value(page, 'IMAP server')).toBe('');
  });

  it('shows a provider hint as text, and names the app password, in dark mode', async () => {
    const { page, errors } = await openNew('dark');
    await page.getByLabel('Email address').fill('eve@icloud.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page)).toBe("Found in iCloud Mail's settings.");
    expect(await page.locator('#f-email-hint').textContent()).toBe(autoconfig['icloud.com']?.hint);
    expect(await page.locator('#f-email-hint a').count()).toBe(0);
    expect(await page.getByLabel('App password').isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('f-password');
    await page.screenshot({ path: shot('settings-email-found-dark.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('says beside the field when the address is incomplete, without asking main', async () => {
    const { page } = await openNew();
    await page.getByLabel('Email address').fill('ann@');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => page.locator('#f-email-error').textContent())
      .toBe('Enter a whole email address, such as ann@example.com.');
    expect(await page.locator('#f-email').getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(page)).toBe('f-email');
    expect(await calls(page, 'autoconfigure')).toEqual([]);
  });

  it('opens "Manual settings" by itself when a save finds a server field missing', async () => {
    const { page } = await openNew();
    await page.getByLabel('User name').fill('ann');
    await page.getByLabel('Password', { exact: true }).fill('pw');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.getByLabel('IMAP server').isVisible()).toBe(true);
    expect(await focusedId(page)).toBe('f-host');
  });

  it('shows the manual fields, and no address step, when editing an account', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] }, autoconfig });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    expect(await page.getByLabel('Email address').isVisible()).toBe(false);
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(true);
    expect(await value(page, 'IMAP server')).toBe('imap.example.com');
    // And a new account after it starts from the address again.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    expect(await page.getByLabel('Email address').isVisible()).toBe(true);
    expect(await page.getByLabel('IMAP server').isVisible()).toBe(false);
  });
});
