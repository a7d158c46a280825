/**
 * The settings window's Accounts section (status list, account form, validation), keyboard
 * use and dark mode, in Chromium against a fake bridge (settings-page.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StatusView } from '../../app/common/ipc-contract.js';
import {
  calls,
  emptySettings,
  focusedId,
  openSection,
  shot,
  tabTo,
  useSettingsWindow,
  work,
} from './settings-page.js';

const open = useSettingsWindow();

describe('settings window', () => {
  it('adds an account: test connection, pick mailboxes from the server, save', async () => {
    const { page, errors } = await open();
    // With no accounts the form opens by itself.
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Work Mail');
    await page.getByLabel('User name').fill('ann@example.com');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.locator('#manual-settings > summary').click();
    await page.getByLabel('IMAP server').fill('imap.example.com');
    // The plaintext opt-in only shows for an unencrypted connection.
    expect(await page.locator('#insecure-field').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 3 mailboxes found.');
    await page.getByLabel('Team', { exact: true }).check();
    await page.screenshot({ path: shot('settings-add-account.png'), fullPage: true });
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

  it("filters a server's 10,000 folders by name, and keeps the ticks of those filtered out", async () => {
    const folders = Array.from(
      { length: 10_000 },
      (_, i) => `Lists/Folder ${String(i).padStart(5, '0')}`,
    );
    const { page, errors } = await open({
      testResult: { ok: true, mailboxes: ['INBOX', ...folders] },
    });
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Big');
    await page.getByLabel('User name').fill('ann@example.com');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.locator('#manual-settings > summary').click();
    await page.getByLabel('IMAP server').fill('imap.example.com');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 10001 mailboxes found.');
    await expect
      .poll(() => page.locator('#mailbox-filter-count').textContent())
      .toBe('10001 folders');

    // By id: finding a label among 20,000 costs Playwright seconds, not the window.
    const filter = page.locator('#mailbox-filter');
    expect(await filter.getAttribute('aria-label')).toBe('Filter folders');
    await filter.fill('folder 0999');
    await expect
      .poll(() => page.locator('#mailbox-filter-count').textContent())
      .toBe('10 of 10001 folders shown');
    expect(await page.locator('#mailbox-list .mailbox-choice:not([hidden])').count()).toBe(10);
    await page.locator('#mailbox-list input[id^="mb-"][value="Lists/Folder 09995"]').check();
    await page.screenshot({ path: shot('settings-mailbox-filter.png'), fullPage: true });
    await filter.fill('nothing like it');
    await expect
      .poll(() => page.locator('#mailbox-filter-count').textContent())
      .toBe('0 of 10001 folders shown');
    await filter.fill('');
    await expect
      .poll(() => page.locator('#mailbox-filter-count').textContent())
      .toBe('10001 folders');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => page.locator('[data-account="big"]').isVisible()).toBe(true);
    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ account: Record<string, unknown> }],
    ];
    // INBOX, ticked by default while it was filtered out, and the one ticked in the filter.
    expect(saved.account.mailboxes).toEqual(['INBOX', 'Lists/Folder 09995']);
    expect(errors).toEqual([]);
  });

  it('shows no filter for a short list', async () => {
    const { page } = await open();
    await page.locator('#manual-settings > summary').click();
    await page.getByLabel('Name', { exact: true }).fill('Short');
    await page.getByLabel('User name').fill('ann@example.com');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByLabel('IMAP server').fill('imap.example.com');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('#mailbox-list input').count()).toBe(6);
    expect(await page.locator('#mailbox-filter-field').isVisible()).toBe(false);
  });

  it('saves "All folders", and lists the folders the engine watches under it', async () => {
    const { page, errors } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByRole('button', { name: 'Edit' }).first().click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => page.locator('#test-result').textContent())
      .toBe('Connected. 3 mailboxes found.');
    await page.getByLabel('All folders').check();
    // The folders stay to be seen, and are no longer ticked one by one.
    expect(await page.getByLabel('Team', { exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(async () => (await calls(page, 'saveAccount')).length).toBe(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ account: Record<string, unknown> }],
    ];
    expect(saved.account).toMatchObject({ mailboxes: ['INBOX'], allMailboxes: true });
    expect(saved.account.quietMailboxes).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('shows each folder "All folders" watches, from the engine\'s statuses', async () => {
    const all = { ...work, mailboxes: ['INBOX'], allMailboxes: true };
    const { page } = await open({ settings: { ...emptySettings, accounts: [all] } });
    await page.evaluate(
      (s) => (window as unknown as { __pushStatus(s: unknown): void }).__pushStatus(s),
      [
        { account: 'work', mailbox: 'INBOX', state: 'idle', detail: 'all 2 folders', unread: 1 },
        { account: 'work', mailbox: 'Receipts', state: 'idle', detail: 'all 2', unread: 0 },
      ],
    );
    await expect.poll(() => page.locator('[data-mailbox="Receipts"]').isVisible()).toBe(true);
    expect(await page.locator('[data-mailbox]').count()).toBe(2);
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
    await page.screenshot({ path: shot('settings-validation.png'), fullPage: true });
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
    await page.locator('#manual-settings > summary').click();
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
    await page.locator('#manual-settings > summary').click();
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
    await page.screenshot({ path: shot('settings-accounts.png'), fullPage: true });
  });

  it('can be used with the keyboard alone', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await expect.poll(() => page.locator('[data-account="work"]').isVisible()).toBe(true);
    // The sidebar's chosen tab first, then its section.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-accounts');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-account');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-email');
    await page.keyboard.type('me@home.test');
    // Enter looks the address up; nothing is found, so "Manual settings" opens at the server.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('f-host');
    expect(await page.getByLabel('User name').inputValue()).toBe('me@home.test');
    await page.keyboard.type('imap.home.test');
    await page.keyboard.press('Shift+Tab'); // "Manual settings"
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-password');
    await page.keyboard.type('pw');
    await page.keyboard.press('Shift+Tab'); // "Sign-in" stays at Password
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-auth');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-name');
    await page.keyboard.type('Home');
    await page.keyboard.press('Enter'); // submits the form
    await expect.poll(() => page.locator('[data-account="home"]').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('add-account');
    const focusRing = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(focusRing).toBe('solid');
  });

  it('saves an account with popups off and a count-only mailbox, by keyboard alone', async () => {
    const { page, errors } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    expect(await focusedId(page)).toBe('f-name');
    const popups = page.getByLabel('Show popups for this account');
    expect(await popups.isChecked()).toBe(true);
    await tabTo(page, 'f-popups');
    await page.keyboard.press('Space');
    expect(await popups.isChecked()).toBe(false);
    // "Popup buttons and click", "All folders", then each watched mailbox: its checkbox, then
    // its "count only" one.
    await tabTo(page, 'mbq-1', 6);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Count only, no popups: Team',
    );
    await page.keyboard.press('Space');
    await tabTo(page, 'save-account');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#account-editor').isVisible()).toBe(false);

    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ originalId: string; account: Record<string, unknown> }],
    ];
    expect(saved.originalId).toBe('work');
    expect(saved.account).toMatchObject({
      id: 'work',
      mailboxes: ['INBOX', 'Team'],
      popups: false,
      quietMailboxes: ['Team'],
    });
    // Opened again, the form shows what was saved.
    await page.getByRole('button', { name: 'Edit Work' }).click();
    expect(await popups.isChecked()).toBe(false);
    expect(await page.getByLabel('Count only, no popups: Team').isChecked()).toBe(true);
    expect(await page.getByLabel('Count only, no popups: INBOX').isChecked()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('marks only watched mailboxes count-only, and leaves out what defaults say', async () => {
    const { page } = await open({
      settings: { ...emptySettings, accounts: [{ ...work, quietMailboxes: ['Team'] }] },
    });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.locator('#mailbox-list input').count()).toBe(6);
    const archiveQuiet = page.getByLabel('Count only, no popups: Archive');
    // A mailbox not watched cannot be count-only.
    expect(await archiveQuiet.isDisabled()).toBe(true);
    await page.getByLabel('Archive', { exact: true }).check();
    await archiveQuiet.check();
    await page.getByLabel('Archive', { exact: true }).uncheck();
    expect(await archiveQuiet.isDisabled()).toBe(true);
    expect(await archiveQuiet.isChecked()).toBe(false);
    await page.getByLabel('Count only, no popups: Team').uncheck();
    await page.screenshot({ path: shot('settings-account-popups.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => calls(page, 'saveAccount')).toHaveLength(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as [
      [{ account: Record<string, unknown> }],
    ];
    expect(saved.account.mailboxes).toEqual(['INBOX', 'Team']);
    expect(saved.account.popups).toBeUndefined();
    expect(saved.account.quietMailboxes).toBeUndefined();
  });

  it("shows main's error about count-only mailboxes beside the mailbox list", async () => {
    const { page } = await open({
      settings: { ...emptySettings, accounts: [work] },
      saveErrors: { quietMailboxes: 'not among the watched mailboxes: Lists' },
    });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect
      .poll(() => page.locator('#f-quietMailboxes-error').textContent())
      .toBe('not among the watched mailboxes: Lists');
    expect(await focusedId(page)).toBe('mb-0');
  });

  it('saves notification preferences', async () => {
    const { page } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await openSection(page, 'notifications');
    await page.getByLabel('Summarise when more than').fill('12');
    await page.getByLabel('Show sender and subject').uncheck();
    await openSection(page, 'about');
    await page.getByLabel('Start Tidings when I log in').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await calls(page, 'savePreferences')).toEqual([
      [
        {
          notifications: { burstThreshold: 12, sound: true, showSubject: false, preview: true },
          startAtLogin: true,
          checkForUpdates: true,
          tray: { countInIcon: false, count: 'unread' },
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
    await page.screenshot({ path: shot('settings-dark.png'), fullPage: true });
  });

  it('says why the window stays on a desktop without tray icons, and nothing when there is a tray', async () => {
    const trayWarning = 'Your desktop shows no tray icons, so Tidings keeps this window.';
    const { page } = await open({ settings: { ...emptySettings, accounts: [work], trayWarning } });
    await expect.poll(() => page.locator('#tray-warning').textContent()).toBe(trayWarning);
    expect(await page.locator('#tray-warning').isVisible()).toBe(true);
    const withTray = await open({ settings: { ...emptySettings, accounts: [work] } });
    await expect.poll(() => withTray.page.locator('#account-list li').count()).toBe(1);
    expect(await withTray.page.locator('#tray-warning').isVisible()).toBe(false);
  });
});
