import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { StatusView } from '../../app/common/ipc-contract.js';
import { pauseUntil, isPaused } from '../../app/main/electron/pause.js';
import {
  buildTrayMenu,
  summarizeTray,
  type TrayActions,
} from '../../app/main/electron/tray-menu.js';

const now = new Date(2026, 10, 21, 22, 30);
const status = (
  account: string,
  mailbox: string,
  state: StatusView['state'],
  unread: number | null,
): StatusView => ({
  account,
  mailbox,
  state,
  detail: '',
  unread,
});

function actions(): TrayActions & Record<string, ReturnType<typeof vi.fn>> {
  return {
    looked: vi.fn(),
    refresh: vi.fn(),
    pause: vi.fn(),
    openSettings: vi.fn(),
    showLog: vi.fn(),
    setStartAtLogin: vi.fn(),
    restartToUpdate: vi.fn(),
    quit: vi.fn(),
  } as TrayActions & Record<string, ReturnType<typeof vi.fn>>;
}

function menu(
  statuses: StatusView[],
  extra: Partial<Parameters<typeof buildTrayMenu>[0]> = {},
  acts = actions(),
) {
  const template = buildTrayMenu(
    {
      accounts: [
        { id: 'work', name: 'Work' },
        { id: 'home', name: 'Home' },
      ],
      statuses,
      newMail: 0,
      tray: { countInIcon: false, count: 'unread' },
      pausedUntil: null,
      startAtLogin: false,
      now,
      about: 'Tidings 1.3.0 (abc1234def56)',
      ...extra,
    },
    acts,
  );
  const find = (label: string) =>
    template.find((item) => item.label === label) as MenuItemConstructorOptions;
  return { template, find, acts };
}

const click = (item: MenuItemConstructorOptions, checked = false) =>
  (item.click as (i: { checked: boolean }) => void)({ checked });

describe('buildTrayMenu', () => {
  it('shows a line per account with its unread total, or its worst problem', () => {
    const { template } = menu([
      status('work', 'INBOX', 'idle', 3),
      status('work', 'Team', 'idle', 2),
      status('home', 'INBOX', 'auth-failed', null),
    ]);
    expect(template.slice(0, 2).map((item) => [item.label, item.enabled])).toEqual([
      ['Work — 5 unread', false],
      ['Home — login rejected', false],
    ]);
  });

  it("says how many of an account's mailboxes are pushed and how many polled, when some are polled", () => {
    const pushed = { ...status('work', 'INBOX', 'idle', 1), via: 'idle' as const };
    const polled = (mailbox: string) => ({
      ...status('work', mailbox, 'idle', 0),
      via: 'poll' as const,
    });
    expect(menu([pushed, polled('A'), polled('B')]).template[0]?.label).toBe(
      'Work — 1 unread · 1 pushed, 2 polled',
    );
    expect(menu([polled('A')]).template[0]?.label).toBe('Work — no unread mail · all polled');
    const notify = { ...status('work', 'INBOX', 'idle', 1), via: 'notify' as const };
    expect(menu([notify]).template[0]?.label).toBe('Work — 1 unread');
  });

  it('asks to sign in again for an OAuth2 account whose sign-in was refused, leading to Settings', () => {
    const gmail = { id: 'gmail', name: 'Gmail', oauth2: true };
    const { template, acts } = menu(
      [status('gmail', 'INBOX', 'auth-failed', null), status('home', 'INBOX', 'idle', 0)],
      { accounts: [gmail, { id: 'home', name: 'Home' }] },
    );
    const line = template[0] as MenuItemConstructorOptions;
    expect(line.label).toBe('Gmail — sign in again…');
    expect(line.enabled).not.toBe(false);
    click(line);
    expect(acts.openSettings).toHaveBeenCalledOnce();
    // Signed in and watching, the line is plain again.
    const fine = menu([status('gmail', 'INBOX', 'idle', 1)], { accounts: [gmail] });
    expect(fine.template[0]).toMatchObject({ label: 'Gmail — 1 unread', enabled: false });
  });

  it('says when there are no accounts', () => {
    const template = buildTrayMenu(
      {
        accounts: [],
        statuses: [],
        newMail: 0,
        tray: { countInIcon: false, count: 'unread' },
        pausedUntil: null,
        startAtLogin: false,
        now,
        about: 'Tidings',
      },
      actions(),
    );
    expect(template[0]).toEqual({ label: 'No accounts yet', enabled: false });
  });

  it('wires Refresh now, Settings…, Show log, Start at login and Quit', () => {
    const { find, acts } = menu([]);
    click(find('Refresh now'));
    click(find('Settings…'));
    click(find('Show log'));
    click(find('Start at login'), true);
    click(find('Quit Tidings'));
    expect(acts.refresh).toHaveBeenCalledOnce();
    expect(acts.openSettings).toHaveBeenCalledOnce();
    expect(acts.showLog).toHaveBeenCalledOnce();
    expect(acts.setStartAtLogin).toHaveBeenCalledWith(true);
    expect(acts.quit).toHaveBeenCalledOnce();
    expect(find('Start at login')).toMatchObject({ type: 'checkbox', checked: false });
  });

  it('shows the version above Quit, disabled', () => {
    const { template } = menu([]);
    expect(template.at(-2)).toEqual({ label: 'Tidings 1.3.0 (abc1234def56)', enabled: false });
    expect(template.at(-1)?.label).toBe('Quit Tidings');
  });

  it('offers "Restart to update" once an update is downloaded, and not before', () => {
    const restart = 'Restart to update to 1.4.0';
    for (const update of [
      undefined,
      { state: 'checking' as const },
      { state: 'downloading' as const, version: '1.4.0', percent: 40 },
      { state: 'off' as const, reason: 'updates come from your package manager' },
    ]) {
      expect(menu([], { update }).find(restart)).toBeUndefined();
    }
    const { find, acts } = menu([], { update: { state: 'ready', version: '1.4.0' } });
    click(find(restart));
    expect(acts.restartToUpdate).toHaveBeenCalledOnce();
  });

  it('says first that the last run crashed, when it did', () => {
    const notice = 'Recovered from a crash at 14:02 — see Show log';
    const { template } = menu([status('work', 'INBOX', 'idle', 0)], { notice });
    expect(template[0]).toEqual({ label: notice, enabled: false });
    expect(template[1]).toEqual({ type: 'separator' });
    expect(menu([]).template[0]?.label).toBe('Work — not watching');
  });

  it('offers pause choices, and Resume only while paused', () => {
    const running = menu([]).find('Pause notifications');
    const items = running.submenu as MenuItemConstructorOptions[];
    expect(items.map((item) => item.label)).toEqual([
      'For 1 hour',
      'Until tomorrow morning',
      'Resume',
    ]);
    expect(items[2]?.enabled).toBe(false);
    const { template, acts } = menu([], { pausedUntil: new Date(2026, 10, 21, 23, 30) });
    const paused = template.find((item) =>
      String(item.label).startsWith('Notifications paused until'),
    );
    const resume = (
      paused?.submenu as MenuItemConstructorOptions[]
    )[2] as MenuItemConstructorOptions;
    expect(resume.enabled).toBe(true);
    click(resume);
    expect(acts.pause).toHaveBeenCalledWith('resume');
  });
});

describe('summarizeTray', () => {
  it('shows unread mail, all quiet, or a problem, with both counts in the tooltip', () => {
    expect(summarizeTray([status('work', 'INBOX', 'idle', 0)])).toEqual({
      icon: 'quiet',
      badge: 0,
      tooltip: 'Tidings — 0 new · 0 unread',
    });
    expect(summarizeTray([status('work', 'INBOX', 'idle', 1)], 1)).toEqual({
      icon: 'unread',
      badge: 0,
      tooltip: 'Tidings — 1 new · 1 unread',
    });
    expect(
      summarizeTray(
        [status('work', 'INBOX', 'idle', 4), status('home', 'INBOX', 'tls-error', null)],
        2,
      ),
    ).toEqual({
      icon: 'problem',
      badge: 0,
      tooltip: 'Tidings — 2 new · 4 unread · 1 problem',
    });
  });

  it('draws the chosen count in the icon when asked: all unread, or new since the last look', () => {
    const statuses = [status('work', 'INBOX', 'idle', 590), status('home', 'INBOX', 'idle', 9)];
    expect(summarizeTray(statuses, 4, { countInIcon: true, count: 'unread' })).toEqual({
      icon: 'unread',
      badge: 599,
      tooltip: 'Tidings — 4 new · 599 unread',
    });
    expect(summarizeTray(statuses, 4, { countInIcon: true, count: 'new' })).toMatchObject({
      icon: 'unread',
      badge: 4,
    });
    // Counting new mail, an icon with nothing new is quiet, however much is unread.
    expect(summarizeTray(statuses, 0, { countInIcon: true, count: 'new' })).toMatchObject({
      icon: 'quiet',
      badge: 0,
    });
    expect(summarizeTray(statuses, 0, { countInIcon: false, count: 'new' })).toMatchObject({
      icon: 'quiet',
    });
    // A problem keeps its icon, with the count on it.
    const broken = [...statuses, status('old', 'INBOX', 'auth-failed', null)];
    expect(summarizeTray(broken, 3, { countInIcon: true, count: 'new' })).toEqual({
      icon: 'problem',
      badge: 3,
      tooltip: 'Tidings — 3 new · 599 unread · 1 problem',
    });
  });
});

describe('pause', () => {
  it('pauses for an hour, until 08:00 tomorrow, or not at all', () => {
    expect(pauseUntil('hour', now)).toEqual(new Date(2026, 10, 21, 23, 30));
    expect(pauseUntil('tomorrow', now)).toEqual(new Date(2026, 10, 22, 8, 0));
    expect(pauseUntil('resume', now)).toBeNull();
    expect(isPaused(new Date(2026, 10, 21, 23, 30), now)).toBe(true);
    expect(isPaused(new Date(2026, 10, 21, 22, 0), now)).toBe(false);
    expect(isPaused(null, now)).toBe(false);
  });
});
