import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Announcement } from '../../app/main/engine/base/announcement.js';
import { silentLogger } from '../../app/main/engine/base/ports.js';
import { UPDATE_MS } from '../../app/main/engine/popups/popup-policy.js';
import type { Settings } from '../../app/common/settings-schema.js';
import {
  wantedActions,
  type ActionOutcome,
  type MessageAction,
  type MessageKey,
  type OfferedActions,
} from '../../app/main/engine/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { FakeNotification, fake } from '../support/electron-fake.js';
import { NotificationsClient } from '../../app/main/freedesktop/index.js';
import { startNotificationBus, type NotificationBus } from '../support/notification-bus.js';

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
    preview?: boolean;
    sound?: boolean;
    openUrl?: string;
    platform?: NodeJS.Platform;
    burstThreshold?: number;
    clock?: ManualClock;
    popupActions?: Array<'read' | 'delete' | 'archive'>;
    act?: (message: MessageKey, action: MessageAction) => Promise<ActionOutcome>;
    onClick?: () => void;
    freedesktop?: NotificationsClient;
    popupClick?: 'open' | 'read' | 'none';
    offeredActions?: OfferedActions;
  } = {},
  warnings: string[] = [],
) {
  const pause = { until: options.paused ? new Date(Date.now() + 3_600_000) : null };
  const settings: Settings = {
    accounts: [
      {
        id: 'work',
        name: 'Work',
        host: 'imap.example.test',
        tls: 'implicit',
        user: 'ann',
        mailboxes: ['INBOX'],
        allowInsecureAuth: false,
        openUrl: options.openUrl,
        ...(options.popupActions ? { popupActions: options.popupActions } : {}),
        ...(options.popupClick ? { popupClick: options.popupClick } : {}),
      },
    ],
    notifications: {
      burstThreshold: options.burstThreshold ?? 5,
      sound: options.sound ?? true,
      showSubject: options.showSubject ?? true,
      preview: options.preview ?? true,
    },
    liveness: { heartbeatSeconds: 60, commandTimeoutSeconds: 15, maxBackoffSeconds: 300 },
  };
  const made = new ElectronNotifier({
    settings: () => settings,
    pausedUntil: () => pause.until,
    logger: { ...silentLogger, warn: (line) => warnings.push(line) },
    platform: options.platform ?? 'darwin',
    ...(options.clock ? { clock: options.clock } : {}),
    // The app hands a button's messages over in one call (one connection): each is asked in
    // turn here, and the calls are counted.
    ...(options.act ? { act: actEach(options.act) } : {}),
    ...(options.onClick ? { onClick: options.onClick } : {}),
    ...(options.freedesktop ? { freedesktop: options.freedesktop } : {}),
    // What the supervisor offers once it has seen the Trash: every button the account lists.
    offeredActions: options.offeredActions ?? wantedActions,
  });
  return Object.assign(made, {
    resume() {
      pause.until = null;
      made.pauseChanged();
    },
  });
}

/** How many times the notifier called `act`, and an `act` that asks `one` per message. */
const actCalls = { count: 0 };
function actEach(one: (message: MessageKey, action: MessageAction) => Promise<ActionOutcome>) {
  return async (messages: readonly MessageKey[], action: MessageAction) => {
    actCalls.count++;
    const outcomes: ActionOutcome[] = [];
    for (const message of messages) outcomes.push(await one(message, action));
    return outcomes;
  };
}

function mail(uid: number, from = `Sender ${uid} <s${uid}@x.test>`): Announcement {
  return { ...message, message: { ...message.message, uid, messageId: `<m${uid}@x>`, from } };
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

  it('shows the preview under the subject, and none with it or sender and subject off', () => {
    const withPreview: Announcement = {
      ...message,
      message: { ...message.message, preview: 'Shall we meet at <b>noon</b> & eat?' },
    };
    notifier().notify(withPreview);
    notifier().notify(mail(8));
    notifier({ preview: false }).notify(withPreview);
    notifier({ showSubject: false }).notify(withPreview);
    // As it is: macOS and Windows read no markup (Linux's D-Bus popups: the test below).
    expect(FakeNotification.made.map((made) => made.options.body)).toEqual([
      'Lunch?\nShall we meet at <b>noon</b> & eat?',
      'Lunch?',
      'Lunch?',
      'INBOX',
    ]);
  });

  it('keeps sender and subject out when the user chose privacy, and is silent without sound', () => {
    notifier({ showSubject: false, sound: false }).notify(message);
    expect(FakeNotification.made[0]?.options).toEqual({
      title: 'New mail in Work',
      body: 'INBOX',
      silent: true,
    });
  });

  it('turns a storm into one summary in place of its popups, updated as it goes on', () => {
    const clock = new ManualClock();
    const n = notifier({ burstThreshold: 2, clock });
    for (let uid = 1; uid <= 12; uid++) n.notify(mail(uid));
    clock.advance(UPDATE_MS);
    expect(FakeNotification.made.map((m) => [m.options.title, m.closed])).toEqual([
      ['Sender 1 <s1@x.test>', true],
      ['Sender 2 <s2@x.test>', true],
      ['3 new messages in Work', true],
      ['12 new messages in Work', false],
    ]);
    expect(FakeNotification.made.at(-1)?.options).toEqual({
      title: '12 new messages in Work',
      body: 'INBOX — from Sender 1, Sender 2, Sender 3, …',
      silent: true,
    });
    expect(n.open).toBe(1);
  });

  it('closes the notification of a message read elsewhere, and shows a summary one less', () => {
    const clock = new ManualClock();
    const n = notifier({ burstThreshold: 2, clock });
    n.notify(mail(1));
    n.withdraw(mail(1).message);
    expect(FakeNotification.made.map((m) => [m.options.title, m.closed])).toEqual([
      ['Sender 1 <s1@x.test>', true],
    ]);
    for (let uid = 2; uid <= 4; uid++) n.notify(mail(uid));
    n.withdraw(mail(3).message);
    expect(FakeNotification.made.map((m) => [m.options.title, m.closed]).slice(1)).toEqual([
      ['Sender 2 <s2@x.test>', true],
      ['Sender 3 <s3@x.test>', true],
      ['3 new messages in Work', true],
      ['2 new messages in Work', false],
    ]);
    n.withdraw(mail(2).message);
    n.withdraw(mail(4).message);
    expect(FakeNotification.made.at(-1)?.options.title).toBe('1 new message in Work');
    expect(FakeNotification.made.every((m) => m.closed)).toBe(true);
    expect(n.open).toBe(0);
  });

  it("offers the account's actions as buttons on macOS and Windows, and does the one clicked to that message", async () => {
    const asked: string[] = [];
    const act = async (m: MessageKey, action: MessageAction): Promise<ActionOutcome> => {
      asked.push(`${action} ${m.mailbox} ${m.uidValidity} ${m.uid}`);
      return { done: true, text: 'done' };
    };
    const n = notifier({ platform: 'win32', act, popupActions: ['read', 'archive'] });
    n.notify(mail(8));
    const popup = FakeNotification.made[0];
    expect(popup?.options.actions).toEqual([
      { type: 'button', text: 'Mark as read' },
      { type: 'button', text: 'Archive' },
    ]);
    popup?.emit('action', { actionIndex: 1, selectionIndex: -1 }, 1, -1);
    await vi.waitFor(() => expect(asked).toEqual(['archive INBOX 1 8']));
    // Done: its popup leaves the screen.
    await vi.waitFor(() => expect(popup?.closed).toBe(true));

    // The default buttons; none without `act`.
    FakeNotification.made.length = 0;
    notifier({ platform: 'darwin', act }).notify(mail(9));
    notifier({ platform: 'darwin' }).notify(mail(11));
    expect(FakeNotification.made.map((m) => m.options.actions)).toEqual([
      [
        { type: 'button', text: 'Mark as read' },
        { type: 'button', text: 'Delete' },
      ],
      undefined,
    ]);
  });

  it('marks exactly the messages a summary counts as read from its button, and shows a refusal', async () => {
    const asked: number[] = [];
    const warnings: string[] = [];
    const act = async (m: MessageKey): Promise<ActionOutcome> => {
      asked.push(m.uid);
      return m.uid === 3
        ? { done: false, reason: 'UID 3 is no longer in INBOX (deleted or moved)' }
        : { done: true, text: 'marked as read' };
    };
    const n = notifier({ platform: 'darwin', act, burstThreshold: 2 }, warnings);
    for (let uid = 1; uid <= 4; uid++) n.notify(mail(uid));
    n.withdraw(mail(2).message);
    const summary = FakeNotification.made.at(-1);
    expect(summary?.options.title).toBe('3 new messages in Work');
    expect(summary?.options.actions).toEqual([{ type: 'button', text: 'Mark all as read' }]);
    const callsBefore = actCalls.count;
    summary?.emit('action', { actionIndex: 0, selectionIndex: -1 }, 0, -1);
    await vi.waitFor(() => expect(asked).toEqual([1, 3, 4]));
    // The three in one call: one borrowed connection for the whole summary.
    expect(actCalls.count - callsBefore).toBe(1);
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
    const titles = FakeNotification.made.map((m) => m.options.title);
    // At the third message 3; the fourth counted, the second withdrawn: 3 again; then one less
    // for each message marked read, and the refusal between them.
    expect(titles.slice(titles.indexOf('3 new messages in Work'))).toEqual([
      '3 new messages in Work',
      '3 new messages in Work',
      '2 new messages in Work',
      "Couldn't mark as read",
      '1 new message in Work',
    ]);
    expect(
      FakeNotification.made.find((m) => m.options.title === "Couldn't mark as read")?.options,
    ).toMatchObject({ body: 'UID 3 is no longer in INBOX (deleted or moved)' });
    expect(warnings).toEqual([
      "couldn't mark as read INBOX UID 3: UID 3 is no longer in INBOX (deleted or moved)",
    ]);
  });

  it('keeps the senders of a storm out of its summary too when privacy is on', () => {
    const n = notifier({ burstThreshold: 1, showSubject: false });
    n.notify(mail(1));
    n.notify(mail(2));
    expect(FakeNotification.made.map((m) => [m.options.title, m.options.body])).toEqual([
      ['New mail in Work', 'INBOX'],
      ['2 new messages in Work', 'INBOX'],
    ]);
  });

  it('shows one catch-up for what came while paused, when the pause ends', () => {
    const n = notifier({ paused: true });
    for (let uid = 1; uid <= 7; uid++) n.notify(mail(uid));
    expect(FakeNotification.made.map((m) => m.options.title)).toEqual([]);
    n.resume();
    expect(FakeNotification.made.map((m) => [m.options.title, m.options.body])).toEqual([
      ['While you were away', '7 new in Work'],
    ]);
  });

  it('opens the message itself when the web address has a {messageId} placeholder', () => {
    notifier({ openUrl: 'https://mail.example.test/#search/rfc822msgid:{messageId}' }).notify(
      message,
    );
    FakeNotification.made[0]?.emit('click');
    expect(fake.shell.openExternal).toHaveBeenCalledWith(
      'https://mail.example.test/#search/rfc822msgid:%3Cm%40x%3E',
    );
  });

  it('shows nothing while paused', () => {
    notifier({ paused: true }).notify(message);
    expect(FakeNotification.made.map((m) => m.options.title)).toEqual([]);
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

  it("does what the account's popupClick says: marks the message as read, or only closes", async () => {
    const asked: string[] = [];
    const act = async (m: MessageKey, action: MessageAction): Promise<ActionOutcome> => {
      asked.push(`${action} ${m.uid}`);
      return { done: true, text: 'marked as read' };
    };
    const reading = notifier({ act, popupClick: 'read', openUrl: 'https://mail.example.test/' });
    reading.notify(mail(5));
    FakeNotification.made[0]?.emit('click');
    await vi.waitFor(() => expect(asked).toEqual(['read 5']));
    const none = notifier({ act, popupClick: 'none', burstThreshold: 1 });
    none.notify(mail(6));
    FakeNotification.made.at(-1)?.emit('click');
    // A summary's click opens, whatever the account says of a single message's.
    none.notify(mail(7));
    expect(FakeNotification.made.at(-1)?.options.title).toBe('2 new messages in Work');
    FakeNotification.made.at(-1)?.emit('click');
    await Promise.resolve();
    expect(asked).toEqual(['read 5']);
    expect(fake.shell.openExternal.mock.calls).toEqual([['mailto:']]);
  });

  it('offers only the buttons the engine can offer for the account (no Delete without a Trash)', () => {
    const act = async (): Promise<ActionOutcome> => ({ done: true, text: 'done' });
    const offeredActions = vi.fn(() => ['read'] as MessageAction[]);
    notifier({ platform: 'darwin', act, offeredActions }).notify(mail(9));
    expect(FakeNotification.made[0]?.options.actions).toEqual([
      { type: 'button', text: 'Mark as read' },
    ]);
    expect(offeredActions).toHaveBeenCalledWith(expect.objectContaining({ id: 'work' }));
  });

  it('tells the app that the user looked when a popup is clicked, not when it closes', () => {
    const onClick = vi.fn();
    const n = notifier({ onClick });
    n.notify(message);
    n.notify({ ...message, message: { ...message.message, uid: 8, messageId: '<n@x>' } });
    FakeNotification.made[0]?.close();
    expect(onClick).not.toHaveBeenCalled();
    FakeNotification.made[1]?.emit('click');
    expect(onClick).toHaveBeenCalledOnce();
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
    const n = notifier({ openUrl: 'https://mail.example.test/', burstThreshold: 1000 });
    for (let uid = 1; uid <= 200; uid++) n.notify(mail(uid));
    expect(MAX_REFERENCED_NOTIFICATIONS).toBe(50);
    expect(n.open).toBe(50);
    FakeNotification.made.at(-1)?.emit('click');
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://mail.example.test/');
    expect(n.open).toBe(49);
  });

  it('leaves markup in the body as it is on macOS and Windows, which read none', () => {
    const hostile: Announcement = {
      ...message,
      message: { ...message.message, subject: '<b>Bank</b> & <a href="https://evil.test">pay</a>' },
    } as Announcement;
    notifier({ platform: 'win32' }).notify(hostile);
    expect(FakeNotification.made.map((n) => n.options.body)).toEqual([
      '<b>Bank</b> & <a href="https://evil.test">pay</a>',
    ]);
  });
});

/**
 * On Linux, Electron's popups have no buttons: the notifier talks D-Bus itself, here to the
 * recording notification server on a private bus, which also plays the user's clicks.
 */
describe('ElectronNotifier on Linux (a real notification server on a private bus)', () => {
  let bus: NotificationBus;
  const clients: NotificationsClient[] = [];
  beforeEach(async () => {
    bus = await startNotificationBus();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await bus.stop();
  });
  const onBus = () => {
    const client = new NotificationsClient({
      logger: silentLogger,
      appName: 'Tidings',
      address: () => bus.address,
    });
    clients.push(client);
    return client;
  };

  it('shows popups over D-Bus with the buttons and the click as the default action', async () => {
    const asked: string[] = [];
    const act = async (m: MessageKey, action: MessageAction): Promise<ActionOutcome> => {
      asked.push(`${action} ${m.uid}`);
      return { done: true, text: 'done' };
    };
    const hostile = {
      ...mail(8),
      message: { ...mail(8).message, subject: '<b>Bank</b> & co', preview: 'at <i>noon</i>' },
    } as Announcement;
    const n = notifier({
      platform: 'linux',
      act,
      freedesktop: onBus(),
      openUrl: 'https://mail.example.test/',
    });
    n.notify(hostile);
    n.notify(mail(9));
    const [first, second] = await bus.waitForNotifications(2);
    // No Electron notification of these: it has no buttons here. (An earlier test's summary
    // update may still land in the fake after it ended: only these two titles are checked.)
    const titles = FakeNotification.made.map((m) => m.options.title);
    expect(titles.filter((title) => /Sender [89]/.test(title ?? ''))).toEqual([]);
    expect(first).toMatchObject({
      app_name: 'Tidings',
      summary: 'Sender 8 <s8@x.test>',
      // The server reads markup (GNOME's capabilities): escaped, the preview too.
      body: '&lt;b&gt;Bank&lt;/b&gt; &amp; co\nat &lt;i&gt;noon&lt;/i&gt;',
      actions: ['default', 'Open', 'read', 'Mark as read', 'delete', 'Delete'],
      hints: { 'sound-name': 'message-new-email', category: 'email.arrived' },
    });
    // The click opens the webmail; a button acts on its message, and the popup is withdrawn.
    await bus.emit({ emit: 'ActionInvoked', id: first?.id ?? 0, key: 'default' });
    await vi.waitFor(() =>
      expect(fake.shell.openExternal).toHaveBeenCalledWith('https://mail.example.test/'),
    );
    await bus.emit({ emit: 'ActionInvoked', id: second?.id ?? 0, key: 'delete' });
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the popup withdrawn');
    expect(asked).toEqual(['delete 9']);
    expect(bus.records.items.filter((r) => r.call === 'CloseNotification')).toEqual([
      { call: 'CloseNotification', id: second?.id, was_open: true },
    ]);
  });

  it('replaces a storm in place, closes withdrawn popups, and shows a refusal over D-Bus', async () => {
    const warnings: string[] = [];
    const act = async (): Promise<ActionOutcome> => ({ done: false, reason: 'UID 2 is gone' });
    const n = notifier(
      { platform: 'linux', act, burstThreshold: 2, freedesktop: onBus() },
      warnings,
    );
    for (let uid = 1; uid <= 3; uid++) n.notify(mail(uid));
    const [, second, summary] = await bus.waitForNotifications(3);
    expect(summary).toMatchObject({
      summary: '3 new messages in Work',
      replaces_id: second?.id,
      actions: ['default', 'Open', 'read-all', 'Mark all as read'],
    });
    await bus.emit({ emit: 'ActionInvoked', id: summary?.id ?? 0, key: 'read-all' });
    const notices = await bus.records.waitForCount(
      (r) => r.call === 'Notify' && r.summary === "Couldn't mark as read",
      3,
      'three refusals',
    );
    expect(notices[0]).toMatchObject({ body: 'UID 2 is gone', actions: [] });
    expect(warnings).toHaveLength(3);
    // A message read elsewhere: the summary counts one less, in place.
    n.withdraw(mail(1).message);
    await bus.records.waitFor(
      (r) => r.call === 'Notify' && r.summary === '2 new messages in Work',
      'the summary one less',
    );
    n.withdraw(mail(2).message);
    n.withdraw(mail(3).message);
    await bus.records.waitFor(
      (r) => r.call === 'CloseNotification' && r.id === summary?.id,
      'the summary closed at zero',
    );
    n.close();
  });
});
