/**
 * The account form's "Popup buttons and click" (issue 24): which buttons a message's popup
 * offers, what its click does, where Delete and Archive move mail; saved without what the
 * defaults say, shown again as saved, its errors beside their fields. In Chromium against
 * the fake bridge (settings-page.ts).
 */
import { describe, expect, it } from 'vitest';
import { calls, emptySettings, focusedId, shot, useSettingsWindow, work } from './settings-page.js';

const open = useSettingsWindow();

type Saved = [[{ account: Record<string, unknown> }]];

describe('popup buttons and click, per account', () => {
  it('saves nothing for the defaults: Mark as read and Delete, a click that opens', async () => {
    const { page, errors } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    // Closed while the account has the defaults.
    expect(await page.locator('#popup-action-settings').getAttribute('open')).toBeNull();
    await page.getByText('Popup buttons and click').click();
    expect(await page.getByLabel('Mark as read').isChecked()).toBe(true);
    expect(await page.getByLabel('Delete (moves it to the Trash)').isChecked()).toBe(true);
    expect(await page.getByLabel('Archive (moves it to the archive folder)').isChecked()).toBe(
      false,
    );
    expect(await page.getByLabel("Clicking a message's popup").inputValue()).toBe('open');
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => calls(page, 'saveAccount')).toHaveLength(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as Saved;
    expect(saved.account.popupActions).toBeUndefined();
    expect(saved.account.popupClick).toBeUndefined();
    expect(saved.account.trashMailbox).toBeUndefined();
    expect(saved.account.archiveMailbox).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('saves the chosen buttons in popup order, the click and the folders, and shows them again', async () => {
    const { page, errors } = await open({ settings: { ...emptySettings, accounts: [work] } });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByText('Popup buttons and click').click();
    await page.getByLabel('Archive (moves it to the archive folder)').check();
    await page.getByLabel('Delete (moves it to the Trash)').uncheck();
    await page.getByLabel("Clicking a message's popup").selectOption('read');
    await page.getByLabel(/^Trash folder/).fill(' Papierkorb ');
    await page.getByLabel(/^Archive folder/).fill('Kept');
    await page.screenshot({ path: shot('settings-popup-buttons.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => calls(page, 'saveAccount')).toHaveLength(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as Saved;
    expect(saved.account).toMatchObject({
      popupActions: ['read', 'archive'],
      popupClick: 'read',
      trashMailbox: 'Papierkorb',
      archiveMailbox: 'Kept',
    });

    // An account saved that way opens with the section open and its choices shown.
    const edited = {
      ...work,
      popupActions: ['archive' as const],
      popupClick: 'none' as const,
      trashMailbox: 'Papierkorb',
    };
    const again = await open({ settings: { ...emptySettings, accounts: [edited] } });
    await again.page.getByRole('button', { name: 'Edit Work' }).click();
    expect(await again.page.locator('#popup-action-settings').getAttribute('open')).toBe('');
    expect(await again.page.getByLabel('Mark as read').isChecked()).toBe(false);
    expect(
      await again.page.getByLabel('Archive (moves it to the archive folder)').isChecked(),
    ).toBe(true);
    expect(await again.page.getByLabel("Clicking a message's popup").inputValue()).toBe('none');
    expect(await again.page.getByLabel(/^Trash folder/).inputValue()).toBe('Papierkorb');
    expect([...errors, ...again.errors]).toEqual([]);
  });

  it("saves no buttons at all as an empty list, and shows main's error beside the folder", async () => {
    const { page } = await open({
      settings: { ...emptySettings, accounts: [work] },
      saveErrors: { trashMailbox: 'a mailbox name is at most 1000 characters' },
    });
    await page.getByRole('button', { name: 'Edit Work' }).click();
    await page.getByText('Popup buttons and click').click();
    await page.getByLabel('Mark as read').uncheck();
    await page.getByLabel('Delete (moves it to the Trash)').uncheck();
    // Closed again before saving: the error opens it and focuses the field.
    await page.getByText('Popup buttons and click').click();
    await page.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => calls(page, 'saveAccount')).toHaveLength(1);
    const [[saved]] = (await calls(page, 'saveAccount')) as Saved;
    expect(saved.account.popupActions).toEqual([]);
    await expect
      .poll(() => page.locator('#f-trashMailbox-error').textContent())
      .toBe('a mailbox name is at most 1000 characters');
    expect(await page.locator('#popup-action-settings').getAttribute('open')).toBe('');
    expect(await focusedId(page)).toBe('f-trashMailbox');
  });
});
