/**
 * Desktop popups of `tidings watch`. On Linux they go to a real (recording) notification
 * server on a private D-Bus session bus (support/notification-bus.ts), which also plays the
 * user's clicks (ActionInvoked); macOS and Windows go to a stand-in for node-notifier.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DesktopNotifier } from '../../../app/main/cli/output/desktop-notifier.js';
import {
  Supervisor,
  wantedActions,
  type Announcement,
  type Logger,
  type PopupAct,
} from '../../../app/main/engine/index.js';
import { MemoryStateStore } from '../../support/memory-state-store.js';
import { NotificationsClient } from '../../../app/main/freedesktop/index.js';
import {
  NO_MARKUP,
  startNotificationBus,
  type NotificationBus,
} from '../../support/notification-bus.js';
import {
  settingsSchema,
  type AccountSettings,
  type Settings,
} from '../../../app/common/settings-schema.js';

function newLogger() {
  return {
    debug: vi.fn<(message: string) => void>(),
    info: vi.fn<(message: string) => void>(),
    warn: vi.fn<(message: string) => void>(),
    error: vi.fn<(message: string) => void>(),
  } satisfies Logger;
}

// Each message its own UID, as the engine announces them (popups are withdrawn by UID).
let uid = 6;

function message(from: string, subject: string): Announcement {
  return {
    kind: 'message',
    message: {
      account: 'work',
      mailbox: 'INBOX',
      uidValidity: 1,
      uid: ++uid,
      messageId: null,
      from,
      subject,
    },
    at: new Date(),
  };
}

/** Settings with one account "work" named Work, and these notification preferences. */
function settingsWith(
  preferences: Partial<Settings['notifications']> = {},
  account: Partial<AccountSettings> = {},
): () => Settings {
  const settings = settingsSchema.parse({
    accounts: [{ id: 'work', name: 'Work', host: 'h', user: 'u', password: 'p', ...account }],
    notifications: { showSubject: true, sound: true, ...preferences },
  });
  return () => settings;
}

let bus: NotificationBus;
const notifiers: DesktopNotifier[] = [];
beforeEach(async () => {
  bus = await startNotificationBus();
});
afterEach(async () => {
  for (const notifier of notifiers.splice(0)) notifier.close();
  await bus.stop();
});

/** A Linux notifier on the private bus (its own client, its own connection). */
function linux(
  preferences: Partial<Settings['notifications']> = {},
  more: { logger?: Logger; act?: PopupAct; account?: Partial<AccountSettings> } = {},
): DesktopNotifier {
  const logger = more.logger ?? newLogger();
  const notifier = new DesktopNotifier(logger, {
    settings: settingsWith(preferences, more.account),
    platform: 'linux',
    notifications: new NotificationsClient({
      logger,
      appName: 'Tidings',
      address: () => bus.address,
    }),
    ...(more.act ? { act: more.act, offeredActions: wantedActions } : {}),
  });
  notifiers.push(notifier);
  return notifier;
}

describe('DesktopNotifier on Linux (a real notification server on a private bus)', () => {
  it('sends the sender as the title as it is, the subject markup-escaped as the body', async () => {
    linux().notify(message('--urgency=critical <b>Ann</b>', `<b>x</b> & y "q" 'r' C:\\new`));
    const [call] = await bus.waitForNotifications(1);
    expect(call).toMatchObject({
      app_name: 'Tidings',
      app_icon: 'mail-unread',
      summary: '--urgency=critical <b>Ann</b>',
      // Backslashes as they are: no notify-send reads C escapes any more.
      body: '&lt;b&gt;x&lt;/b&gt; &amp; y &quot;q&quot; &apos;r&apos; C:\\new',
      hints: { category: 'email.arrived', urgency: 1 },
      expire_timeout: 10_000,
      // No `act`: no buttons, and `tidings watch` has no click action.
      actions: [],
    });
  });

  it('sends the body as plain text to a server that does not read markup', async () => {
    await bus.stop();
    bus = await startNotificationBus({ capabilities: NO_MARKUP });
    linux().notify(message('Ann', '<b>x</b> & y'));
    const [call] = await bus.waitForNotifications(1);
    expect(call?.body).toBe('<b>x</b> & y');
  });

  it('shows the preview on a line under the subject, markup-escaped, and none with previews off', async () => {
    const withPreview = message('Ann', 'Hi');
    withPreview.message.preview = 'See <a href="x">this</a> & that';
    linux().notify(withPreview);
    const [first] = await bus.waitForNotifications(1);
    expect(first?.body).toBe('Hi\nSee &lt;a href=&quot;x&quot;&gt;this&lt;/a&gt; &amp; that');
    linux({ preview: false }).notify({
      ...withPreview,
      message: { ...withPreview.message, uid: ++uid },
    });
    const [, second] = await bus.waitForNotifications(2);
    expect(second?.body).toBe('Hi');
  });

  it('asks for the new-mail sound when sound is on, for silence when it is off', async () => {
    linux().notify(message('Ann', 'Hi'));
    const [heard] = await bus.waitForNotifications(1);
    expect(heard?.hints['sound-name']).toBe('message-new-email');
    expect(heard?.hints).not.toHaveProperty('suppress-sound');
    linux({ showSubject: true, sound: false }).notify(message('Ann', 'Hi'));
    const [, silent] = await bus.waitForNotifications(2);
    expect(silent?.hints).toMatchObject({ 'suppress-sound': true });
    expect(silent?.hint_types['suppress-sound']).toBe('b');
    expect(silent?.hints).not.toHaveProperty('sound-name');
  });

  it('keeps sender and subject out of the popup when showSubject is off', async () => {
    linux({ showSubject: false, sound: true }).notify(
      message('Ann <ann@example.org>', 'Secret plans'),
    );
    const [call] = await bus.waitForNotifications(1);
    expect([call?.summary, call?.body]).toEqual(['New mail in Work', 'INBOX']);
    expect(JSON.stringify(bus.records.items)).not.toMatch(/Ann|Secret/);
  });

  it('replaces the summary in place (replaces_id) as the storm goes on', async () => {
    const notifier = linux({ burstThreshold: 2 });
    // Three in one sync: the summary waits for the second popup's id and takes its place.
    notifier.notify(message('Ann <ann@x.test>', 'one'));
    notifier.notify(message('Bob <bob@x.test>', 'two'));
    notifier.notify(message('Cat <cat@x.test>', 'three'));
    const [, second, summary] = await bus.waitForNotifications(3);
    expect(summary).toMatchObject({
      summary: '3 new messages in Work',
      replaces_id: second?.id,
      replaced: true,
    });
    // The first is closed once the summary shows: the storm leaves one popup on screen.
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the first closed');
    notifier.notify(message('Dan <dan@x.test>', 'four'));
    const calls = await bus.waitForNotifications(4);
    expect(calls[3]).toMatchObject({
      summary: '4 new messages in Work',
      body: 'INBOX — from Ann, Bob, Cat, …',
      replaces_id: second?.id,
    });
    expect(bus.open()).toEqual([second?.id]);
  });

  it("offers the account's actions where the server has `actions`, and runs the one clicked", async () => {
    const asked: string[] = [];
    const act: PopupAct = async (messages, action) => {
      asked.push(...messages.map((m) => `${action} ${m.mailbox} ${m.uidValidity} ${m.uid}`));
      return messages.map(() => ({ done: true, text: 'done' }) as const);
    };
    const announced = message('Ann', 'Hi');
    linux({}, { act, account: { popupActions: ['read', 'archive'] } }).notify(announced);
    const [call] = await bus.waitForNotifications(1);
    // No "default" action: `tidings watch` has no click to offer.
    expect(call?.actions).toEqual(['read', 'Mark as read', 'archive', 'Archive']);
    await bus.emit({ emit: 'ActionInvoked', id: call?.id ?? 0, key: 'archive' });
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the popup withdrawn');
    expect(asked).toEqual([`archive INBOX 1 ${announced.message.uid}`]);
    expect(bus.open()).toEqual([]);
  });

  it('shows a refusal as a popup of its own and logs it, the popup left on screen', async () => {
    const logger = newLogger();
    const act: PopupAct = async (messages) =>
      messages.map(() => ({ done: false, reason: 'UIDVALIDITY changed' }) as const);
    linux({}, { act, logger }).notify(message('Ann', 'Hi'));
    const [call] = await bus.waitForNotifications(1);
    expect(call?.actions).toEqual(['read', 'Mark as read', 'delete', 'Delete']);
    await bus.emit({ emit: 'ActionInvoked', id: call?.id ?? 0, key: 'delete' });
    const [, notice] = await bus.waitForNotifications(2);
    expect(notice).toMatchObject({
      summary: "Couldn't delete",
      body: 'UIDVALIDITY changed',
      actions: [],
      hints: { 'suppress-sound': true },
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^couldn't delete INBOX UID \d+: UIDVALIDITY changed$/),
    );
    expect(bus.open()).toEqual([call?.id, notice?.id]);
  });

  it('refuses a click once quitting began: the engine says so, shown and logged', async () => {
    const logger = newLogger();
    const settings = settingsWith()();
    const supervisor = new Supervisor({
      settings,
      store: new MemoryStateStore(),
      secrets: { getPassword: async () => 'p' },
      notifier: { notify() {} },
      logger: newLogger(),
    });
    // As `tidings watch` wires it (watch-command.ts), on a supervisor that is stopping.
    const act: PopupAct = (messages, action) =>
      supervisor.actOnEach(messages[0]?.account ?? '', messages, action);
    linux({}, { act, logger }).notify(message('Ann', 'Hi'));
    const [call] = await bus.waitForNotifications(1);
    await supervisor.stop();
    await bus.emit({ emit: 'ActionInvoked', id: call?.id ?? 0, key: 'read' });
    const [, notice] = await bus.waitForNotifications(2);
    expect([notice?.summary, notice?.body]).toEqual([
      "Couldn't mark as read",
      'Tidings is quitting',
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^couldn't mark as read INBOX UID \d+: Tidings is quitting$/),
    );
    expect(bus.open()).toContain(call?.id);
  });

  it('offers no buttons where the server has no `actions` capability', async () => {
    await bus.stop();
    bus = await startNotificationBus({ capabilities: ['body', 'body-markup'] });
    const act = vi.fn<PopupAct>();
    linux({}, { act }).notify(message('Ann', 'Hi'));
    const [call] = await bus.waitForNotifications(1);
    expect(call?.actions).toEqual([]);
    // A click the server could not have offered is not ours to run.
    await bus.emit({ emit: 'ActionInvoked', id: call?.id ?? 0, key: 'read' });
    linux().notify(message('Bob', 'after'));
    await bus.waitForNotifications(2);
    expect(act).not.toHaveBeenCalled();
  });

  it('logs one warning, and throws nothing, when there is no session bus', async () => {
    const logger = newLogger();
    const notifier = new DesktopNotifier(logger, {
      settings: settingsWith(),
      platform: 'linux',
      notifications: new NotificationsClient({
        logger,
        appName: 'Tidings',
        address: () => undefined,
      }),
    });
    notifiers.push(notifier);
    expect(() => notifier.notify(message('Ann', 'Private one'))).not.toThrow();
    expect(() => notifier.notify(message('Ann', 'Private two'))).not.toThrow();
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
    // A third popup, after the first two have failed: still the one warning.
    notifier.notify(message('Ann', 'Private three'));
    notifier.withdraw(message('Ann', 'x').message);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/D-Bus/);
    expect(String(logger.warn.mock.calls[0]?.[0])).not.toMatch(/Private/);
  });

  it('logs one warning, without the popup text, when no notification server is on the bus', async () => {
    const daemon = await startBareBus();
    const logger = newLogger();
    const notifier = new DesktopNotifier(logger, {
      settings: settingsWith(),
      platform: 'linux',
      notifications: new NotificationsClient({
        logger,
        appName: 'Tidings',
        address: () => daemon.address,
      }),
    });
    notifiers.push(notifier);
    try {
      notifier.notify(message('Ann', 'Private subject'));
      notifier.notify(message('Ann', 'Private subject'));
      await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(String(logger.warn.mock.calls[0]?.[0])).toMatch(/ServiceUnknown/);
      expect(String(logger.warn.mock.calls[0]?.[0])).not.toMatch(/Private/);
    } finally {
      daemon.stop();
    }
  });
});

/** A private session bus with nothing on it (no notification server). */
async function startBareBus(): Promise<{ address: string; stop(): void }> {
  const child = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout.setEncoding('utf8');
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error('dbus-daemon exited')));
  });
  return { address, stop: () => child.kill() };
}

describe('DesktopNotifier on macOS and Windows', () => {
  it.each([true, false])('passes sound %s to node-notifier and honours showSubject', (sound) => {
    const nodeNotify = vi.fn();
    const notifier = new DesktopNotifier(newLogger(), {
      settings: settingsWith({ showSubject: false, sound }),
      platform: 'darwin',
      nodeNotify,
    });
    notifier.notify(message('Ann', 'Secret plans'));
    expect(nodeNotify).toHaveBeenCalledWith(
      expect.objectContaining({ title: 'New mail in Work', message: 'INBOX', sound }),
      expect.any(Function),
    );
  });

  it('shows a storm as a few popups, its summary grouped so each update replaces the last', async () => {
    const nodeNotify = vi.fn();
    const notifier = new DesktopNotifier(newLogger(), {
      settings: settingsWith({ burstThreshold: 2 }),
      platform: 'darwin',
      nodeNotify,
    });
    for (let i = 0; i < 10; i++) notifier.notify(message(`Sender ${i} <s${i}@x.test>`, `m${i}`));
    await vi.waitFor(() => expect(nodeNotify).toHaveBeenCalledTimes(4));
    const shown = nodeNotify.mock.calls.map(([n]) => n as Record<string, unknown>);
    expect(shown.map((n) => [n.title, n.group])).toEqual([
      ['Sender 0 <s0@x.test>', undefined],
      ['Sender 1 <s1@x.test>', undefined],
      ['3 new messages in Work', 'tidings:work/INBOX'],
      ['10 new messages in Work', 'tidings:work/INBOX'],
    ]);
    // Only the storm's first summary makes a sound; its update is silent.
    expect(shown.map((n) => n.sound)).toEqual([true, true, true, false]);
    notifier.close();
  });
});
