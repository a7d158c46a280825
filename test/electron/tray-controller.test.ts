/**
 * The tray controller against the fake `electron`: which image it gives the tray (the files
 * in assets/tray, or a counted icon drawn at 1×, 1.5× and 2×, decoded here), the tooltip, and
 * the signs of the user looking at the tray that reset the count of new mail.
 */
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusView } from '../../app/common/ipc-contract.js';
import type { TraySettings } from '../../app/common/settings-schema.js';
import { NewMailCount } from '../../app/main/electron/new-mail-count.js';
import type { TrayActions, TrayState } from '../../app/main/electron/tray-menu.js';
import { FakeImage, FakeTray } from '../support/electron-fake.js';
import { boundsOf, decode, maskOf } from '../support/icon-pixels.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { createTrayController } = await import('../../app/main/electron/tray-controller.js');

const assets = path.join(import.meta.dirname, '..', '..', 'assets');
const inbox = (unread: number, state: StatusView['state'] = 'idle'): StatusView => ({
  account: 'work',
  mailbox: 'INBOX',
  state,
  detail: '',
  unread,
});
const message = (uid: number) => ({ account: 'work', mailbox: 'INBOX', uidValidity: 1, uid });

/**
 * A tray as the composition root wires it: announcements and withdrawals go to a
 * NewMailCount, and a look at the tray resets it and updates the icon and tooltip.
 */
function trayOf(platform: NodeJS.Platform, tray: TraySettings) {
  const count = new NewMailCount();
  let statuses = [inbox(0)];
  const state = (): TrayState => ({
    accounts: [{ id: 'work', name: 'Work' }],
    statuses,
    newMail: count.count,
    tray,
    pausedUntil: null,
    startAtLogin: false,
    now: new Date(2026, 11, 6, 12, 0),
    about: 'Tidings 0.1.0',
  });
  const actions = {
    looked: vi.fn(() => {
      if (count.look()) controller.updateIcon(state());
    }),
    refresh: vi.fn(),
    pause: vi.fn(),
    openSettings: vi.fn(),
    showLog: vi.fn(),
    setStartAtLogin: vi.fn(),
    restartToUpdate: vi.fn(),
    quit: vi.fn(),
  } satisfies TrayActions;
  const controller = createTrayController(assets, actions, platform);
  const fakeTray = FakeTray.made.at(-1) as FakeTray;
  return {
    count,
    actions,
    tray: fakeTray,
    /** New mail came: `uids` announced, the inbox now holds `unread` unread. */
    arrive(unread: number, ...uids: number[]) {
      for (const uid of uids) count.announce(message(uid));
      statuses = [inbox(unread)];
      controller.update(state());
    },
    /** Messages were read elsewhere. */
    read(unread: number, ...uids: number[]) {
      for (const uid of uids) count.withdraw(message(uid));
      statuses = [inbox(unread)];
      controller.update(state());
    },
    /** Another account's login is refused; the inbox keeps `unread` unread. */
    fail(unread = 0) {
      statuses = [inbox(unread), { ...inbox(0, 'auth-failed'), account: 'home' }];
      controller.update(state());
    },
    image: () => fakeTray.image as unknown as FakeImage | { path: string },
  };
}

/** The count's digits in the 1× representation (white on the colour icon's badge). */
function digitsAt(image: FakeImage, scaleFactor: number): string[] {
  const png = image.representations.find((r) => r.scaleFactor === scaleFactor)?.buffer;
  if (!png) throw new Error(`no ${scaleFactor}× representation`);
  const decoded = decode(png);
  return maskOf(decoded, ([r, g, b, a]) => r === 255 && g === 255 && b === 255 && a === 255);
}

beforeEach(() => {
  FakeTray.made.length = 0;
});

describe('the tray controller', () => {
  it('keeps the files of assets/tray when the count is not drawn, as before', () => {
    const t = trayOf('linux', { countInIcon: false, count: 'unread' });
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'quiet.png') });
    t.arrive(3, 1, 2, 3);
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'unread.png') });
    expect(t.tray.tooltip).toBe('Tidings — 3 new · 3 unread');
    t.fail();
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'problem.png') });
  });

  it('draws the unread count at 16, 24 and 32 px, a new image when the count changes', () => {
    const t = trayOf('win32', { countInIcon: true, count: 'unread' });
    t.arrive(1, 1);
    const one = t.image() as FakeImage;
    expect(one).toBeInstanceOf(FakeImage);
    expect(one.isTemplateImage()).toBe(false);
    expect(
      one.representations.map(({ scaleFactor, buffer }) => [scaleFactor, decode(buffer).width]),
    ).toEqual([
      [1, 16],
      [1.5, 24],
      [2, 32],
    ]);
    expect(digitsAt(one, 1)).toEqual(['.#.', '##.', '.#.', '.#.', '###']);
    t.arrive(7, 2, 3, 4, 5, 6, 7);
    const seven = t.image() as FakeImage;
    expect(digitsAt(seven, 1)).toEqual(['###', '..#', '..#', '.#.', '.#.']);
    t.arrive(599, 8);
    expect(digitsAt(t.image() as FakeImage, 1)).toHaveLength(5);
    expect(digitsAt(t.image() as FakeImage, 1)[2]).toBe('###.###.###'); // "99+"
    expect(t.tray.tooltip).toBe('Tidings — 8 new · 599 unread');
    // The same count again is the image drawn before, not a new one.
    t.read(7, 8);
    expect(t.image()).toBe(seven);
  });

  it('gives macOS template images: black and alpha only, in every representation', () => {
    const t = trayOf('darwin', { countInIcon: true, count: 'unread' });
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'quietTemplate.png') });
    t.arrive(42, 1);
    const image = t.image() as FakeImage;
    expect(image.isTemplateImage()).toBe(true);
    expect(image.representations.map((r) => r.scaleFactor)).toEqual([1, 1.5, 2]);
    for (const { buffer } of image.representations) {
      const { data } = decode(buffer);
      expect(data.filter((value, i) => i % 4 !== 3 && value !== 0)).toHaveLength(0);
    }
    t.fail();
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'problemTemplate.png') });
  });

  it('counts new mail since the menu was opened, and drops what was read meanwhile', () => {
    const t = trayOf('linux', { countInIcon: true, count: 'new' });
    t.arrive(600, 1, 2, 3, 4);
    expect(digitsAt(t.image() as FakeImage, 1)).toEqual(['#.#', '#.#', '###', '..#', '..#']);
    expect(t.tray.tooltip).toBe('Tidings — 4 new · 600 unread');
    // Read on the phone: one less, in the icon and the tooltip.
    t.read(599, 2);
    expect(digitsAt(t.image() as FakeImage, 1)).toEqual(['###', '..#', '.##', '..#', '###']);
    expect(t.tray.tooltip).toBe('Tidings — 3 new · 599 unread');
    // The menu opens: nothing is new; the icon is quiet, however much is unread. The open
    // menu itself is left as it is.
    const menu = t.tray.menu;
    menu?.emit('menu-will-show', {});
    expect(t.actions.looked).toHaveBeenCalledOnce();
    expect(t.tray.menu).toBe(menu);
    expect(t.tray.tooltip).toBe('Tidings — 0 new · 599 unread');
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'quiet.png') });
    t.arrive(600, 5);
    expect(t.tray.tooltip).toBe('Tidings — 1 new · 600 unread');
  });

  it('hears a look from a click on the icon, a right-click, and any item of the menu', () => {
    const t = trayOf('win32', { countInIcon: true, count: 'new' });
    t.arrive(1, 1);
    t.tray.emit('click', {}, {});
    expect(t.tray.tooltip).toBe('Tidings — 0 new · 1 unread');
    t.arrive(2, 2);
    t.tray.emit('right-click', {}, {});
    expect(t.tray.tooltip).toBe('Tidings — 0 new · 2 unread');
    // On Linux a click on an item is the only sign that the menu was open.
    t.arrive(3, 3);
    const items = t.tray.menu?.template as Array<{ label?: string; click?: () => void }>;
    items.find((item) => item.label === 'Refresh now')?.click?.();
    expect(t.actions.refresh).toHaveBeenCalledOnce();
    expect(t.tray.tooltip).toBe('Tidings — 0 new · 3 unread');
    expect(t.actions.looked).toHaveBeenCalledTimes(3);
  });

  it('keeps a problem visible with a count: the badge turns red', () => {
    const t = trayOf('linux', { countInIcon: true, count: 'unread' });
    const red = (image: FakeImage) =>
      boundsOf(decode(image.representations[0]?.buffer ?? Buffer.alloc(0)), ([r, g, b, a]) =>
        [r, g, b, a].every((v, i) => v === [229, 72, 77, 255][i]),
      );
    t.arrive(5, 1);
    const unread = t.image() as FakeImage;
    expect(red(unread)).toBeNull();
    t.fail(5);
    const problem = t.image() as FakeImage;
    expect(red(problem)).not.toBeNull();
    expect(digitsAt(problem, 1)).toEqual(digitsAt(unread, 1));
    expect(t.tray.tooltip).toBe('Tidings — 1 new · 5 unread · 1 problem');
    // With nothing to count, the problem icon of assets/tray.
    t.fail(0);
    expect(t.image()).toMatchObject({ path: path.join(assets, 'tray', 'problem.png') });
  });
});
