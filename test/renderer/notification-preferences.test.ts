/**
 * The settings window's notification rules: quiet hours and the VIP and mute lists, in
 * Chromium against a fake bridge (settings-page.ts).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../app/common/ipc-contract.js';
import type { QuietPeriodSettings } from '../../app/common/settings-schema.js';
import {
  calls,
  emptySettings,
  focusedId,
  openSection,
  shot,
  shownSection,
  tabTo,
  useSettingsWindow,
  work,
} from './settings-page.js';

const open = useSettingsWindow();

const withWork: SettingsView = { ...emptySettings, accounts: [work] };
const weekdays: QuietPeriodSettings['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const period = (page: Page, index: number) => page.locator(`[data-period="${index}"]`);
const savedPreferences = async (page: Page) =>
  (await calls(page, 'savePreferences')).map(([input]) => input);

describe('notification preferences', () => {
  it('offers the preview under "Show sender and subject", greyed out and kept while it is off', async () => {
    const { page, errors } = await open({
      settings: { ...withWork, notifications: { ...withWork.notifications, preview: true } },
    });
    await openSection(page, 'notifications');
    const preview = page.getByLabel('Show the first line of the message');
    expect(await preview.isChecked()).toBe(true);
    expect(await preview.isEnabled()).toBe(true);
    await page.getByLabel('Show sender and subject').uncheck();
    expect(await preview.isEnabled()).toBe(false);
    // Still checked: the choice comes back with the subject; the engine reads it as off.
    expect(await preview.isChecked()).toBe(true);
    await page.locator('#popups').screenshot({ path: shot('settings-preview-off.png') });
    await page.getByLabel('Show sender and subject').check();
    expect(await preview.isEnabled()).toBe(true);
    await preview.uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await savedPreferences(page)).toEqual([
      {
        notifications: { burstThreshold: 5, sound: true, showSubject: true, preview: false },
        startAtLogin: false,
        checkForUpdates: true,
        tray: { countInIcon: false, count: 'unread' },
      },
    ]);
    expect(errors).toEqual([]);
  });

  it('shows a saved choice of no preview, unchecked and not greyed out', async () => {
    const off = { ...withWork, notifications: { ...withWork.notifications, preview: false } };
    const { page } = await open({ settings: off });
    await openSection(page, 'notifications');
    const preview = page.getByLabel('Show the first line of the message');
    expect(await preview.isChecked()).toBe(false);
    expect(await preview.isEnabled()).toBe(true);
  });

  it('adds, edits and removes quiet hours, and saves exactly the periods shown', async () => {
    const { page, errors } = await open({ settings: withWork });
    await openSection(page, 'quiet-hours');
    expect(await page.locator('#no-quiet-hours').isVisible()).toBe(true);
    const add = page.getByRole('button', { name: 'Add quiet hours' });
    await add.click();
    // A new period starts as weekday nights, with its first day focused.
    expect(await focusedId(page)).toBe('q-0-mon');
    expect(await period(page, 0).getByLabel('From').inputValue()).toBe('22:00');
    expect(await period(page, 0).getByLabel('To').inputValue()).toBe('07:00');
    expect(await period(page, 0).locator('.note').textContent()).toBe(
      'Crosses midnight: ends the next morning of each chosen day.',
    );
    expect(await page.locator('#no-quiet-hours').isVisible()).toBe(false);

    await add.click();
    await add.click();
    const weekend = period(page, 1);
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])
      await weekend.getByLabel(day, { exact: true }).uncheck();
    await weekend.getByLabel('Sat', { exact: true }).check();
    await weekend.getByLabel('Sun', { exact: true }).check();
    await weekend.getByLabel('From').fill('13:00');
    await weekend.getByLabel('To').fill('15:30');
    expect(await weekend.locator('.note').textContent()).toBe('');
    // Removing the last of three: the legends stay numbered 1, 2 and focus stays in the list.
    await page.getByRole('button', { name: 'Remove quiet period 3' }).click();
    expect(await page.locator('.quiet-period > fieldset > legend').allTextContents()).toEqual([
      'Quiet period 1',
      'Quiet period 2',
    ]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Remove quiet period 2',
    );
    await page.locator('#quiet-hours').screenshot({ path: shot('settings-quiet-hours.png') });

    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    const quietHours = [
      { days: weekdays, from: '22:00', to: '07:00' },
      { days: ['sat', 'sun'], from: '13:00', to: '15:30' },
    ];
    expect(await savedPreferences(page)).toEqual([
      {
        notifications: {
          burstThreshold: 5,
          sound: true,
          showSubject: true,
          preview: true,
          quietHours,
        },
        startAtLogin: false,
        checkForUpdates: true,
        tray: { countInIcon: false, count: 'unread' },
      },
    ]);
    // Removing them all saves none.
    await page.getByRole('button', { name: 'Remove quiet period 1' }).click();
    await page.getByRole('button', { name: 'Remove quiet period 1' }).click();
    expect(await focusedId(page)).toBe('add-quiet-hours');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => savedPreferences(page)).toHaveLength(2);
    expect((await savedPreferences(page))[1]).toEqual({
      notifications: { burstThreshold: 5, sound: true, showSubject: true, preview: true },
      startAtLogin: false,
      checkForUpdates: true,
      tray: { countInIcon: false, count: 'unread' },
    });
    expect(errors).toEqual([]);
  });

  it('shows saved quiet hours and lists, one entry per line, and saves them back', async () => {
    const notifications: SettingsView['notifications'] = {
      ...emptySettings.notifications,
      quietHours: [{ days: ['sat', 'sun'], from: '00:00', to: '23:59' }],
      vip: ['boss@example.com', 'example.org'],
      muteSenders: ['noreply@shop.example'],
      muteLists: ['announce.lists.example.com'],
    };
    const { page } = await open({ settings: { ...withWork, notifications } });
    await openSection(page, 'quiet-hours');
    const vip = page.getByLabel('Always notify (VIP)');
    await expect.poll(() => vip.inputValue()).toBe('boss@example.com\nexample.org');
    expect(await page.getByLabel('Never pop up: senders').inputValue()).toBe(
      'noreply@shop.example',
    );
    expect(await period(page, 0).getByLabel('Sat', { exact: true }).isChecked()).toBe(true);
    expect(await period(page, 0).getByLabel('Mon', { exact: true }).isChecked()).toBe(false);
    await page.locator('#rules').screenshot({ path: shot('settings-rules.png') });
    // Entries are trimmed and empty lines dropped; an emptied list is left out.
    await vip.fill('  boss@example.com \n\n example.org\n   \nann@example.net\n');
    await page.getByLabel('Never pop up: senders').fill('\n  \n');
    await page
      .getByLabel('Never pop up: mailing lists (List-Id)')
      .fill('announce.lists.example.com\n<dev.lists.example.com>');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await savedPreferences(page)).toEqual([
      {
        notifications: {
          burstThreshold: 5,
          sound: true,
          showSubject: true,
          preview: true,
          quietHours: notifications.quietHours,
          vip: ['boss@example.com', 'example.org', 'ann@example.net'],
          muteLists: ['announce.lists.example.com', '<dev.lists.example.com>'],
        },
        startAtLogin: false,
        checkForUpdates: true,
        tray: { countInIcon: false, count: 'unread' },
      },
    ]);
    // Main's answer fills the form again: one entry per line, blank lines gone.
    expect(await vip.inputValue()).toBe('boss@example.com\nexample.org\nann@example.net');
  });

  it('checks quiet hours before asking main, and focuses the first problem', async () => {
    const { page } = await open({ settings: withWork });
    await openSection(page, 'notifications');
    await page.getByLabel('Summarise when more than').fill('0');
    await openSection(page, 'quiet-hours');
    await page.getByRole('button', { name: 'Add quiet hours' }).click();
    await page.getByRole('button', { name: 'Add quiet hours' }).click();
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])
      await period(page, 1).getByLabel(day, { exact: true }).uncheck();
    await period(page, 1).getByLabel('To').fill('');
    await page.getByRole('button', { name: 'Save preferences' }).click();

    expect(await page.locator('#p-burstThreshold-error').textContent()).toBe(
      'Enter a whole number from 1 to 1000.',
    );
    expect(await page.locator('#p-burstThreshold').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#q-1-days-error').textContent()).toBe('Choose at least one day.');
    expect(await page.locator('#q-1-to-error').textContent()).toBe('Enter an end time.');
    expect(await page.locator('#q-1-to').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#q-1-to').getAttribute('aria-describedby')).toBe(
      'q-1-to-error q-1-note',
    );
    expect(await page.locator('#q-1-sat').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#q-1-sat').getAttribute('aria-describedby')).toBe('q-1-days-error');
    expect(await page.locator('#q-0-mon').getAttribute('aria-invalid')).toBeNull();
    // The threshold leads, in the Notifications section: it comes forward.
    expect(await focusedId(page)).toBe('p-burstThreshold');
    expect(await shownSection(page)).toBe('section-notifications');
    expect(await page.locator('#preferences-result').textContent()).toBe(
      'Not saved: correct the marked fields.',
    );

    // The threshold fixed, the quiet period's days are next in line.
    await page.getByLabel('Summarise when more than').fill('5');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    expect(await focusedId(page)).toBe('q-1-mon');
    expect(await shownSection(page)).toBe('section-quiet-hours');
    await page.screenshot({ path: shot('settings-quiet-hours-errors.png') });
    expect(await page.locator('#p-burstThreshold').getAttribute('aria-invalid')).toBeNull();
    expect(await calls(page, 'savePreferences')).toEqual([]);

    await period(page, 1).getByLabel('Wed', { exact: true }).check();
    await period(page, 1).getByLabel('To').fill('06:00');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await page.locator('#q-1-days-error').textContent()).toBe('');
  });

  it("shows main's field errors beside the period and the line they are about", async () => {
    const { page } = await open({
      settings: withWork,
      preferencesErrors: {
        'notifications.quietHours.0.from': 'expected a time of day as HH:MM, such as 22:00',
        'notifications.vip.1': 'expected an address or a domain',
        'notifications.muteSenders': 'Too big: expected array to have <=1000 items',
        startAtLogin: 'expected boolean',
      },
    });
    await openSection(page, 'quiet-hours');
    await page.getByRole('button', { name: 'Add quiet hours' }).click();
    await page.getByLabel('Always notify (VIP)').fill('ann@example.com\n\nbob@\n');
    await page.getByLabel('Never pop up: senders').fill('example.com');
    await page.getByRole('button', { name: 'Save preferences' }).click();

    await expect
      .poll(() => page.locator('#q-0-from-error').textContent())
      .toBe('expected a time of day as HH:MM, such as 22:00');
    expect(await page.locator('#p-vip-error').textContent()).toBe(
      'Line 3, “bob@”: expected an address or a domain',
    );
    expect(await page.locator('#p-vip').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#p-vip').getAttribute('aria-describedby')).toBe(
      'p-vip-error p-vip-hint',
    );
    expect(await page.locator('#p-muteSenders-error').textContent()).toMatch(/<=1000 items/);
    expect(await focusedId(page)).toBe('q-0-from');
    // What no field owns is named in the form's result line.
    expect(await page.locator('#preferences-result').textContent()).toBe(
      'preferences:save: invalid request: startAtLogin: expected boolean',
    );
    await page.screenshot({ path: shot('settings-rules-errors.png') });

    // Saved the next time: the errors go.
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await page.locator('#p-vip').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#p-vip').getAttribute('aria-describedby')).toBe('p-vip-hint');
  });

  it('can add, fill and remove quiet hours and lists with the keyboard alone', async () => {
    const { page, errors } = await open({ settings: withWork });
    // From the sidebar: down to the section, then into it, where "Add quiet hours" leads.
    await tabTo(page, 'tab-accounts', 1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focusedId(page)).toBe('tab-quiet-hours');
    await tabTo(page, 'add-quiet-hours', 1);
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('q-0-mon');
    await page.keyboard.press('Space'); // Monday off
    expect(await tabTo(page, 'q-0-sat', 5)).toBe(5);
    await page.keyboard.press('Space');
    await tabTo(page, 'q-0-from', 2);
    // The time field's first part is the hour, in 12- or 24-hour locales alike.
    await page.keyboard.press('ArrowUp');
    expect(await page.locator('#q-0-from').inputValue()).toBe('23:00');
    await tabTo(page, 'q-0-to', 4);
    // "Add quiet hours" heads the list: back up to it.
    await tabTo(page, 'add-quiet-hours', 14, 'Shift+Tab');
    // A second period, removed again: focus goes to the Remove button left in its place.
    await page.keyboard.press('Space');
    expect(await focusedId(page)).toBe('q-1-mon');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Remove quiet period 1',
    );
    await tabTo(page, 'q-1-remove', 20);
    await page.keyboard.press('Space');
    expect(await page.locator('[data-period]').count()).toBe(1);
    expect(await focusedId(page)).toBe('q-0-remove');

    await tabTo(page, 'p-vip', 2);
    await page.keyboard.type('ann@example.com');
    await page.keyboard.press('Enter');
    await page.keyboard.type('example.org');
    await tabTo(page, 'p-muteSenders', 1);
    await page.keyboard.type('noreply@example.com');
    await tabTo(page, 'p-muteLists', 1);
    await page.keyboard.type('announce.lists.example.com');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Save preferences');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await savedPreferences(page)).toEqual([
      {
        notifications: {
          burstThreshold: 5,
          sound: true,
          showSubject: true,
          preview: true,
          quietHours: [{ days: ['tue', 'wed', 'thu', 'fri', 'sat'], from: '23:00', to: '07:00' }],
          vip: ['ann@example.com', 'example.org'],
          muteSenders: ['noreply@example.com'],
          muteLists: ['announce.lists.example.com'],
        },
        startAtLogin: false,
        checkForUpdates: true,
        tray: { countInIcon: false, count: 'unread' },
      },
    ]);
    expect(errors).toEqual([]);
  });

  it('keeps unsaved preference edits when an account is saved meanwhile', async () => {
    const { page } = await open({ settings: withWork });
    await openSection(page, 'quiet-hours');
    await page.getByRole('button', { name: 'Add quiet hours' }).click();
    await page.getByLabel('Always notify (VIP)').fill('boss@example.com');
    await openSection(page, 'accounts');
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => calls(page, 'saveAccount')).toHaveLength(1);
    await openSection(page, 'quiet-hours');
    expect(await page.locator('[data-period]').count()).toBe(1);
    expect(await page.getByLabel('Always notify (VIP)').inputValue()).toBe('boss@example.com');
  });

  it('is readable in dark mode', async () => {
    const notifications: SettingsView['notifications'] = {
      ...emptySettings.notifications,
      quietHours: [{ days: weekdays, from: '22:00', to: '07:00' }],
      vip: ['boss@example.com'],
      muteLists: ['announce.lists.example.com'],
    };
    const { page } = await open({ settings: { ...withWork, notifications } }, 'dark');
    await openSection(page, 'quiet-hours');
    await expect.poll(() => page.locator('[data-period]').count()).toBe(1);
    const textarea = await page.evaluate(() => {
      const style = getComputedStyle(document.getElementById('p-vip') as Element);
      return { fg: style.color, bg: style.backgroundColor };
    });
    expect(textarea).toEqual({ fg: 'rgb(230, 232, 235)', bg: 'rgb(21, 24, 28)' });
    await page.screenshot({ path: shot('settings-rules-dark.png') });
  });
});

describe('the tray icon preferences', () => {
  it('shows what the tray counts, marks a change unsaved, and saves it with the preferences', async () => {
    const { page, errors } = await open({
      settings: { ...withWork, tray: { countInIcon: false, count: 'new' } },
    });
    await openSection(page, 'notifications');
    const count = page.getByLabel('What the icon counts');
    const inIcon = page.getByLabel('Show the number in the icon');
    expect(await count.inputValue()).toBe('new');
    expect(await inIcon.isChecked()).toBe(false);
    const marked = () => page.locator('#tab-notifications .unsaved:not([hidden])').count();
    expect(await marked()).toBe(0);
    await inIcon.check();
    await count.selectOption({ label: 'All unread mail' });
    expect(await marked()).toBe(1);
    await page.locator('#tray-icon').screenshot({ path: shot('settings-tray-icon.png') });
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await savedPreferences(page)).toEqual([
      {
        notifications: { burstThreshold: 5, sound: true, showSubject: true, preview: true },
        startAtLogin: false,
        checkForUpdates: true,
        tray: { countInIcon: true, count: 'unread' },
      },
    ]);
    expect(await marked()).toBe(0);
    // Back to counting new mail: the next save says so.
    await count.selectOption('new');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => savedPreferences(page)).toHaveLength(2);
    expect((await savedPreferences(page))[1]).toMatchObject({
      tray: { countInIcon: true, count: 'new' },
    });
    expect(errors).toEqual([]);
  });
});
