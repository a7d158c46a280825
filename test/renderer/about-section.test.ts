/**
 * The About section, in Chromium against the fake bridge: the version and the log file, the
 * update status in words for each state main reports, "Check for updates" and "Restart to
 * update", the events main pushes, and the two start-up and update preferences it saves.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../app/common/ipc-contract.js';
import {
  aboutIdle,
  calls,
  emptySettings,
  openSection,
  shot,
  useSettingsWindow,
} from './settings-page.js';

const open = useSettingsWindow();

const status = (page: Page) => page.locator('#update-status').textContent();
const checkButton = (page: Page) => page.getByRole('button', { name: 'Check for updates' });
const restartButton = (page: Page) => page.getByRole('button', { name: 'Restart to update' });
const pushUpdate = (page: Page, update: UpdateStatus) =>
  page.evaluate(
    (next) => (window as unknown as { __pushUpdate(s: unknown): void }).__pushUpdate(next),
    update,
  );

async function openAbout(update: UpdateStatus, scheme: 'light' | 'dark' = 'light') {
  const opened = await open({ about: { ...aboutIdle, update } }, scheme);
  await openSection(opened.page, 'about');
  await expect.poll(() => opened.page.locator('#about-version').textContent()).not.toBe('');
  return opened;
}

describe('the About section', () => {
  it('shows the version, and the log file as text to select and copy', async () => {
    const { page, errors } = await openAbout(aboutIdle.update);
    expect(await page.locator('#about-version').textContent()).toBe('Version 0.1.0 (61d5d5a4dd92)');
    const log = page.getByRole('textbox', { name: 'Log file' });
    expect(await log.inputValue()).toBe(aboutIdle.logPath);
    expect(await log.getAttribute('readonly')).toBe('');
    await log.focus();
    await page.keyboard.press('ControlOrMeta+A');
    const selected = await log.evaluate((input: HTMLInputElement) =>
      input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0),
    );
    expect(selected).toBe(aboutIdle.logPath);
    // It sits in the preferences form, but Enter there saves nothing.
    await page.keyboard.press('Enter');
    expect(await calls(page, 'savePreferences')).toEqual([]);
    expect(await status(page)).toBe('Never checked.');
    expect(await calls(page, 'getAbout')).toEqual([[]]);
    expect(errors).toEqual([]);
  });

  it('says why updates are off, and offers no check', async () => {
    const { page } = await openAbout({
      state: 'off',
      reason: 'updates come from your package manager',
    });
    expect(await status(page)).toBe('Updates are off (updates come from your package manager).');
    expect(await checkButton(page).isDisabled()).toBe(true);
    expect(await restartButton(page).isVisible()).toBe(false);
    await page.screenshot({ path: shot('settings-about-off.png') });
  });

  it('checks for updates on request and shows the outcome', async () => {
    const { page } = await open({
      about: aboutIdle,
      checkResult: { state: 'idle', checkedAt: '2026-05-12T08:02:00.000Z' },
      checkDelayMs: 300,
    });
    await openSection(page, 'about');
    await checkButton(page).click();
    await expect.poll(() => status(page)).toBe('Checking for updates…');
    await expect.poll(() => status(page)).toMatch(/^Tidings is up to date\. Last checked .*2026/);
    expect(await calls(page, 'checkForUpdates')).toEqual([[]]);
    expect(await checkButton(page).isDisabled()).toBe(false);
  });

  it('shows a failed check with its message', async () => {
    const { page } = await open({
      about: aboutIdle,
      checkResult: {
        state: 'error',
        message: 'net::ERR_INTERNET_DISCONNECTED',
        checkedAt: '2026-05-12T08:02:00.000Z',
      },
    });
    await openSection(page, 'about');
    await checkButton(page).click();
    await expect
      .poll(() => status(page))
      .toMatch(/^Could not check for updates: net::ERR_INTERNET_DISCONNECTED \(.*2026.*\)\.$/);
    expect(await page.locator('#update-status').getAttribute('class')).toBe('update-status failed');
  });

  it('follows the update events main pushes: found, downloading, ready', async () => {
    const { page } = await openAbout({ state: 'idle', checkedAt: null }, 'dark');
    await pushUpdate(page, { state: 'checking' });
    await expect.poll(() => status(page)).toBe('Checking for updates…');
    await pushUpdate(page, { state: 'downloading', version: '0.2.0', percent: null });
    await expect.poll(() => status(page)).toBe('Downloading version 0.2.0…');
    await pushUpdate(page, { state: 'downloading', version: '0.2.0', percent: 42 });
    await expect.poll(() => status(page)).toBe('Downloading version 0.2.0… 42%');
    expect(await restartButton(page).isVisible()).toBe(false);
    await pushUpdate(page, { state: 'ready', version: '0.2.0' });
    await expect
      .poll(() => status(page))
      .toBe('Version 0.2.0 is ready. It installs when you restart or quit Tidings.');
    expect(await restartButton(page).isVisible()).toBe(true);
    await page.screenshot({ path: shot('settings-about-ready-dark.png') });
    // Turned off in Settings while idle: the check goes away.
    await pushUpdate(page, { state: 'off', reason: 'turned off in Settings' });
    await expect.poll(() => checkButton(page).isDisabled()).toBe(true);
    expect(await restartButton(page).isVisible()).toBe(false);
  });

  it('restarts to update when an update is ready', async () => {
    const { page, errors } = await openAbout({ state: 'ready', version: '0.2.0' });
    expect(await status(page)).toMatch(/^Version 0\.2\.0 is ready/);
    await page.screenshot({ path: shot('settings-about-ready.png') });
    await restartButton(page).click();
    await expect.poll(() => calls(page, 'restartToUpdate')).toEqual([[]]);
    await expect.poll(() => status(page)).toBe('Restarting to update…');
    expect(errors).toEqual([]);
  });

  it('saves "Check for updates automatically" and start at login with the other preferences', async () => {
    const { page } = await open({
      settings: { ...emptySettings, checkForUpdates: false, startAtLogin: false },
    });
    await openSection(page, 'about');
    const automatic = page.getByLabel('Check for updates automatically');
    expect(await automatic.isChecked()).toBe(false);
    await automatic.check();
    await page.getByLabel('Start Tidings when I log in').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.locator('#preferences-result').textContent()).toBe('Saved.');
    expect(await calls(page, 'savePreferences')).toEqual([
      [
        {
          notifications: emptySettings.notifications,
          startAtLogin: true,
          checkForUpdates: true,
          tray: { countInIcon: false, count: 'unread' },
        },
      ],
    ]);
    // And back off again: the box says what is saved.
    await automatic.uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => calls(page, 'savePreferences')).toHaveLength(2);
    const [, [second]] = (await calls(page, 'savePreferences')) as [unknown, [object]];
    expect(second).toMatchObject({ startAtLogin: true, checkForUpdates: false });
  });
});
