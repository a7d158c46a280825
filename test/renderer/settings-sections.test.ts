/**
 * The settings window's sidebar of sections, in Chromium against the fake bridge: one section
 * at a time, reached by mouse or keyboard; every section fits a 720 × 560 window without the
 * page scrolling (each screenshotted in light and dark); the preferences of three sections are
 * saved together, and a refused field brings its section forward.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SettingsView, StatusView } from '../../app/common/ipc-contract.js';
import {
  calls,
  emptySettings,
  focusedId,
  openSection,
  sectionTabs,
  shot,
  shownSection,
  tabTo,
  useSettingsWindow,
  work,
  type Section,
} from './settings-page.js';

const open = useSettingsWindow();

const personal = {
  ...work,
  id: 'personal',
  name: 'Personal',
  host: 'imap.fastmail.com',
  user: 'ann@fastmail.example',
  mailboxes: ['INBOX'],
};
const statuses: StatusView[] = [
  {
    account: 'work',
    mailbox: 'INBOX',
    state: 'idle',
    detail: 'watching',
    unread: 3,
    via: 'notify',
  },
  { account: 'work', mailbox: 'Team', state: 'idle', detail: 'watching', unread: 0, via: 'notify' },
  { account: 'personal', mailbox: 'INBOX', state: 'idle', detail: 'watching', unread: 1 },
];
// What a settled install shows: two accounts, one quiet period, a VIP and a muted list.
const lived: SettingsView = {
  ...emptySettings,
  accounts: [work, personal],
  notifications: {
    ...emptySettings.notifications,
    quietHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '07:00' }],
    vip: ['boss@example.com'],
    muteLists: ['announce.lists.example.com'],
  },
};

const sections = Object.keys(sectionTabs) as Section[];

/** How far the page, and the shown section's body, would scroll. */
function overflow(page: Page): Promise<{ page: number; body: number }> {
  return page.evaluate(() => {
    const scroller = document.scrollingElement as Element;
    const body = [...document.querySelectorAll<HTMLElement>('.panel-body')].find(
      (element) => element.offsetParent !== null,
    );
    return {
      page: scroller.scrollHeight - window.innerHeight,
      body: body ? body.scrollHeight - body.clientHeight : 0,
    };
  });
}

const unsavedMarks = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[role="tab"]')]
      .filter((tab) => tab.querySelector<HTMLElement>('.unsaved:not([hidden])'))
      .map((tab) => tab.id),
  );

describe('settings sections', () => {
  it('shows one section at a time, chosen from the sidebar', async () => {
    const { page, errors } = await open({ settings: lived, statuses });
    expect(await shownSection(page)).toBe('section-accounts');
    for (const section of sections) {
      await openSection(page, section);
      expect(await shownSection(page)).toBe(`section-${section}`);
      expect(await page.locator('[role="tabpanel"]:not([hidden])').count()).toBe(1);
      const tab = page.getByRole('tab', { name: sectionTabs[section] });
      expect(await tab.getAttribute('aria-selected')).toBe('true');
      expect(await page.getByRole('tab', { selected: true }).count()).toBe(1);
      // The preferences' Save button belongs to the three preferences sections only.
      expect(await page.getByRole('button', { name: 'Save preferences' }).isVisible()).toBe(
        section !== 'accounts',
      );
    }
    expect(errors).toEqual([]);
  });

  it('reaches the sidebar, then the section, with Tab, and moves between sections with the arrow keys', async () => {
    const { page } = await open({ settings: lived, statuses });
    await expect.poll(() => page.locator('[data-account="work"]').isVisible()).toBe(true);
    expect(await tabTo(page, 'tab-accounts', 1)).toBe(1);
    expect(await tabTo(page, 'add-account', 1)).toBe(1);
    // Back in the sidebar, only the chosen tab takes Tab: the others are reached by arrows.
    await page.keyboard.press('Shift+Tab');
    expect(await focusedId(page)).toBe('tab-accounts');
    await page.keyboard.press('ArrowDown');
    expect(await focusedId(page)).toBe('tab-notifications');
    expect(await shownSection(page)).toBe('section-notifications');
    await tabTo(page, 'p-burstThreshold', 1);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ArrowDown');
    expect(await shownSection(page)).toBe('section-quiet-hours');
    await page.keyboard.press('End');
    expect(await focusedId(page)).toBe('tab-about');
    expect(await shownSection(page)).toBe('section-about');
    await page.keyboard.press('ArrowDown');
    expect(await focusedId(page)).toBe('tab-accounts');
    await page.keyboard.press('ArrowUp');
    expect(await focusedId(page)).toBe('tab-about');
    await page.keyboard.press('Home');
    expect(await shownSection(page)).toBe('section-accounts');
    // About, by keyboard: update controls, its two checkboxes, the log path, then Save.
    await page.keyboard.press('End');
    await tabTo(page, 'check-updates', 1);
    await tabTo(page, 'p-checkForUpdates', 1);
    await tabTo(page, 'p-startAtLogin', 1);
    await tabTo(page, 'about-log-path', 1);
    await tabTo(page, 'save-preferences', 1);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`fits every section in a 720 × 560 window without the page scrolling (${scheme})`, async () => {
      const { page, errors } = await open({ settings: lived, statuses }, scheme);
      expect(await page.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([
        720, 560,
      ]);
      await expect.poll(() => page.locator('[data-account="personal"]').isVisible()).toBe(true);
      for (const section of sections) {
        await openSection(page, section);
        if (section === 'about') {
          await expect.poll(() => page.locator('#about-version').textContent()).toMatch(/0\.1\.0/);
        }
        // Neither the page nor the section's own body scrolls.
        expect(await overflow(page), section).toEqual({ page: 0, body: 0 });
        await page.screenshot({ path: shot(`settings-${section}-${scheme}.png`) });
      }
      expect(errors).toEqual([]);
    });
  }

  it('scrolls the account form inside its section, keeping the headings and Save in place', async () => {
    const { page } = await open({ settings: lived, statuses });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    const heading = page.locator('#accounts-title');
    const save = page.getByRole('button', { name: 'Save account' });
    const before = { heading: await heading.boundingBox(), save: await save.boundingBox() };
    const { body } = await overflow(page);
    expect(body).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Test connection' }).scrollIntoViewIfNeeded();
    expect(await overflow(page)).toMatchObject({ page: 0 });
    expect(await heading.boundingBox()).toEqual(before.heading);
    expect(await save.boundingBox()).toEqual(before.save);
    expect(await page.locator('#editor-title').textContent()).toBe('Edit Work');
    await page.screenshot({ path: shot('settings-account-form-light.png') });
  });

  it('brings a section forward, its field focused, when main refuses a field there', async () => {
    const { page } = await open({
      settings: lived,
      preferencesErrors: { 'notifications.vip.0': 'expected an address or a domain' },
    });
    await openSection(page, 'about');
    await page.getByLabel('Start Tidings when I log in').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => shownSection(page)).toBe('section-quiet-hours');
    expect(await focusedId(page)).toBe('p-vip');
    expect(await page.locator('#p-vip-error').textContent()).toBe(
      'Line 1, “boss@example.com”: expected an address or a domain',
    );
    expect(await page.getByRole('tab', { selected: true }).textContent()).toMatch(
      /Quiet hours and rules/,
    );
    await page.screenshot({ path: shot('settings-error-brought-forward.png') });
  });

  it('brings Notifications forward when its threshold fails the check, from another section', async () => {
    const { page } = await open({ settings: lived });
    await openSection(page, 'notifications');
    await page.getByLabel('Summarise when more than').fill('');
    await openSection(page, 'about');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    expect(await shownSection(page)).toBe('section-notifications');
    expect(await focusedId(page)).toBe('p-burstThreshold');
    expect(await page.locator('#p-burstThreshold-error').textContent()).toBe(
      'Enter a whole number from 1 to 1000.',
    );
    expect(await calls(page, 'savePreferences')).toEqual([]);
  });

  it('marks the sections whose preferences are not saved yet, and saves them all together', async () => {
    const { page } = await open({ settings: lived });
    await openSection(page, 'notifications');
    await page.getByLabel('Play a sound').uncheck();
    expect(await unsavedMarks(page)).toEqual(['tab-notifications']);
    expect(await page.getByRole('tab', { name: 'Notifications' }).textContent()).toMatch(
      /\(unsaved changes\)/,
    );
    // Undone, the mark goes.
    await page.getByLabel('Play a sound').check();
    expect(await unsavedMarks(page)).toEqual([]);
    await page.getByLabel('Play a sound').uncheck();
    await openSection(page, 'quiet-hours');
    await page.getByRole('button', { name: 'Remove quiet period 1' }).click();
    await openSection(page, 'about');
    await page.getByLabel('Check for updates automatically').uncheck();
    expect(await unsavedMarks(page)).toEqual(['tab-notifications', 'tab-quiet-hours', 'tab-about']);
    await page.screenshot({ path: shot('settings-unsaved-marks.png') });
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await unsavedMarks(page)).toEqual([]);
    const [[saved]] = (await calls(page, 'savePreferences')) as [[Record<string, unknown>]];
    expect(saved).toEqual({
      notifications: {
        burstThreshold: 5,
        sound: false,
        showSubject: true,
        preview: true,
        vip: ['boss@example.com'],
        muteLists: ['announce.lists.example.com'],
      },
      startAtLogin: false,
      checkForUpdates: false,
      tray: { countInIcon: false, count: 'unread' },
    });
  });
});
