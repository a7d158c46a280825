import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Announcement } from '../../app/main/engine/announcement.js';
import { silentLogger } from '../../app/main/engine/ports.js';
import { FakeNotification, fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { ElectronNotifier, MAX_REFERENCED_NOTIFICATIONS } =
  await import('../../app/main/electron/electron-notifier.js');

const message: Announcement = {
  kind: 'message',
  at: new Date(),
  message: {
    account: 'work',
    mailbox: 'INBOX',
    uidValidity: 1,
    uid: 7,
    messageId: '<m@x>',
    from: 'Ann <ann@example.test>',
    subject: 'Lunch?',
  },
};

function notifier(
  options: {
    paused?: boolean;
    showSubject?: boolean;
    sound?: boolean;
    openUrl?: string;
    platform?: NodeJS.Platform;
  } = {},
  warnings: string[] = [],
) {
  return new ElectronNotifier({
    account: (id) => (id === 'work' ? { name: 'Work', openUrl: options.openUrl } : undefined),
    preferences: () => ({
      burstThreshold: 5,
      sound: options.sound ?? true,
      showSubject: options.showSubject ?? true,
    }),
    isPaused: () => options.paused ?? false,
    logger: { ...silentLogger, warn: (line) => warnings.push(line) },
    platform: options.platform ?? 'darwin',
  });
}

beforeEach(() => {
  FakeNotification.made.length = 0;
  fake.shell.openExternal.mockClear();
});

describe('ElectronNotifier', () => {
  it('shows the sender as title and the subject as body', () => {
    notifier().notify(message);
    expect(FakeNotification.made).toHaveLength(1);
    expect(FakeNotification.made[0]?.options).toEqual({
      title: 'Ann <ann@example.test>',
      body: 'Lunch?',
      silent: false,
    });
    expect(FakeNotification.made[0]?.shown).toBe(true);
  });

  it('keeps sender and subject out when the user chose privacy, and is silent without sound', () => {
    notifier({ showSubject: false, sound: false }).notify(message);
    expect(FakeNotification.made[0]?.options).toEqual({
      title: 'New mail in Work',
      body: 'INBOX',
      silent: true,
    });
  });

  const burst: Announcement = {
    kind: 'summary',
    account: 'work',
    mailbox: 'INBOX',
    count: 12,
    uids: [],
    messageIds: [],
    senders: ['Ann', 'Bob'],
    at: new Date(),
  };

  it('shows a burst summary as one notification', () => {
    notifier().notify(burst);
    expect(FakeNotification.made.map((n) => [n.options.title, n.options.body])).toEqual([
      ['12 new messages in Work', 'INBOX — from Ann, Bob'],
    ]);
  });

  it('keeps the senders of a burst out of the summary too when privacy is on', () => {
    notifier({ showSubject: false }).notify(burst);
    expect(FakeNotification.made.map((n) => [n.options.title, n.options.body])).toEqual([
      ['12 new messages in Work', 'INBOX'],
    ]);
  });

  it('shows nothing while paused', () => {
    notifier({ paused: true }).notify(message);
    expect(FakeNotification.made).toEqual([]);
  });

  it('opens the webmail address on click, or the mail client without one', () => {
    notifier({ openUrl: 'https://mail.example.test/' }).notify(message);
    notifier().notify(message);
    FakeNotification.made[0]?.emit('click');
    FakeNotification.made[1]?.emit('click');
    expect(fake.shell.openExternal.mock.calls).toEqual([
      ['https://mail.example.test/'],
      ['mailto:'],
    ]);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://evil.test/share',
    'http://mail.test/',
  ])('never hands %s to the shell, even if it got past validation, and logs why', (openUrl) => {
    const warnings: string[] = [];
    notifier({ openUrl }, warnings).notify(message);
    FakeNotification.made[0]?.emit('click');
    expect(fake.shell.openExternal.mock.calls).toEqual([['mailto:']]);
    expect(warnings).toEqual([expect.stringMatching(/not an https address/)]);
  });

  it('keeps each notification referenced until it closes, so its click still arrives', () => {
    const n = notifier();
    n.notify(message);
    n.notify(message);
    expect(n.open).toBe(2);
    FakeNotification.made[0]?.emit('close');
    expect(n.open).toBe(1);
  });

  it('keeps a bounded number referenced when close never comes, the newest still clickable', () => {
    const n = notifier({ openUrl: 'https://mail.example.test/' });
    for (let i = 0; i < 200; i++) n.notify(message);
    expect(MAX_REFERENCED_NOTIFICATIONS).toBe(50);
    expect(n.open).toBe(50);
    FakeNotification.made.at(-1)?.emit('click');
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://mail.example.test/');
    expect(n.open).toBe(49);
  });

  it('escapes markup in the body on Linux, where the notification server would render it', () => {
    const hostile: Announcement = {
      ...message,
      message: { ...message.message, subject: '<b>Bank</b> & <a href="https://evil.test">pay</a>' },
    } as Announcement;
    notifier({ platform: 'linux' }).notify(hostile);
    notifier({ platform: 'win32' }).notify(hostile);
    expect(FakeNotification.made.map((n) => n.options.body)).toEqual([
      '&lt;b&gt;Bank&lt;/b&gt; &amp; &lt;a href=&quot;https://evil.test&quot;&gt;pay&lt;/a&gt;',
      '<b>Bank</b> & <a href="https://evil.test">pay</a>',
    ]);
    // The title is never read as markup: it stays as it is.
    expect(FakeNotification.made[0]?.options.title).toBe('Ann <ann@example.test>');
  });
});
