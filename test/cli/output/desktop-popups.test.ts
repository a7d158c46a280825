/**
 * Real desktop popups of `tidings watch` (Linux): the compiled CLI runs WITHOUT
 * `--no-desktop` against the test Dovecot, and talks D-Bus to a recording
 * org.freedesktop.Notifications server on a private session bus
 * (support/notification-bus.ts); each test asserts what that server received: the Notify
 * calls' titles, bodies, replace ids, hints and buttons. The server announces GNOME Shell's
 * capabilities (body-markup and actions among them, as KDE's, dunst's and mako's do), and
 * plays the user's clicks on the buttons (ActionInvoked), whose effect is checked on Dovecot.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import {
  GNOME_CAPABILITIES,
  KDE_CAPABILITIES,
  NO_MARKUP,
  startNotificationBus,
  type NotificationBus,
  type NotifyCall,
} from '../../support/notification-bus.js';
import {
  isStatus,
  startWatch,
  waitForStderr,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../support/watch-process.js';

let dovecot: Dovecot;
// With a Trash, so Delete is offered (the engine offers it only where it has somewhere to go).
const { cleanups } = useDovecotSuite((started) => (dovecot = started), {
  specialUse: { Trash: '\\Trash' },
});
let userCount = 0;

// startWatch always passes --no-desktop: this launcher drops it and execs the rest, so the
// real CLI (and its signals) run as in watch-process.ts, only with popups on.
const WITH_DESKTOP = [
  '/bin/sh',
  '-c',
  'for a do shift; [ "$a" = --no-desktop ] || set -- "$@" "$a"; done; exec "$@"',
  'with-desktop',
];

let bus: NotificationBus;
beforeEach(async () => {
  bus = await startNotificationBus();
  cleanups.push(() => bus.stop());
});
afterEach(() => {
  // Nothing but our own popups reached the server.
  for (const call of bus.notifications()) expect(call.app_name).toBe('Tidings');
});

function newUser(): { user: string; password: string } {
  const user = `popups${++userCount}`;
  dovecot.addUser(user, 'correct horse');
  return { user, password: 'correct horse' };
}

/** Starts `tidings watch` with popups on, on the private bus, and waits until INBOX is idle. */
async function watchWithPopups(
  user: string,
  notifications: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
  account: Record<string, unknown> = {},
): Promise<WatchProcess> {
  const config = {
    accounts: [
      {
        id: 'work',
        name: 'Work',
        host: dovecot.host,
        port: dovecot.port,
        tls: 'none',
        allowInsecureAuth: true,
        user,
        password: 'correct horse',
        ...account,
      },
    ],
    notifications,
    liveness: { heartbeatSeconds: 5, commandTimeoutSeconds: 5 },
  };
  const proc = startWatch({
    configFile: writeConfig(config),
    stateDir: mkdtempSync(path.join(tmpdir(), 'tidings-state-')),
    launcher: WITH_DESKTOP,
    // Quiet hours are local time: UTC here, so the test can name the minutes.
    env: { DBUS_SESSION_BUS_ADDRESS: bus.address, TZ: 'UTC', ...env },
  });
  cleanups.push(() => proc.stop());
  await proc.events.waitFor(isStatus('work', 'INBOX', 'idle'), 'work/INBOX idle');
  return proc;
}

const newMail = (e: WatchEvent) => e.event === 'new-mail';
const readLine = (uid: unknown) => (e: WatchEvent) => e.event === 'read' && e.uid === uid;
/** The UID the stream gave the message with this subject. */
const uidOf = (events: WatchEvent[], subject: string) =>
  events.find((e) => e.event === 'new-mail' && e.subject === subject)?.uid;

/** Each INBOX message's subject, and whether the server has it \Seen, in UID order. */
async function seenOnServer(user: string): Promise<Array<[string, boolean]>> {
  return dovecot.withClient(user, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const rows: Array<[string, boolean]> = [];
    for await (const m of client.fetch('1:*', { envelope: true, flags: true }, { uid: true })) {
      rows.push([m.envelope?.subject ?? '?', m.flags?.has('\\Seen') ?? false]);
    }
    return rows;
  });
}

/** The D-Bus actions of a single-message popup (the default popupActions) and a summary's. */
const MESSAGE_BUTTONS = ['read', 'Mark as read', 'delete', 'Delete'];
const SUMMARY_BUTTONS = ['read-all', 'Mark all as read'];

/** What every popup of ours carries, whatever it says. */
function expectOurs(call: NotifyCall): void {
  expect(call).toMatchObject({
    app_name: 'Tidings',
    app_icon: 'mail-unread',
    expire_timeout: 10_000,
  });
  // Buttons as the popup's kind offers them (no "default": a terminal has nothing to open).
  const summary = /new messages? in /.test(call.summary);
  const catchUp = call.summary === 'While you were away';
  expect(call.actions).toEqual(catchUp ? [] : summary ? SUMMARY_BUTTONS : MESSAGE_BUTTONS);
  expect(call.hints).toMatchObject({ category: 'email.arrived', urgency: 1 });
  expect(call.hint_types).toMatchObject({ category: 's', urgency: 'y' });
  // For a markup server: well-formed markup with no element in it, the text shows as sent.
  if (call.body_markup) {
    expect(call.body_markup).toEqual({ text: expect.any(String) as string, elements: [] });
  }
}

describe('tidings watch popups on a real notification server', () => {
  it('shows one popup per message, the sender as title, the subject and the first line of the text as body', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user);
    await dovecot.append(user, 'INBOX', [
      buildMessage({ from: 'Ann Example <ann@example.test>', subject: 'Quarterly report' }),
      buildMessage({ from: 'Bob <bob@example.test>', subject: 'Lunch?' }),
      buildMessage({ from: 'cat@example.test', subject: '' }),
    ]);
    await proc.events.waitForCount(newMail, 3, 'three new-mail lines');
    const calls = await bus.waitForNotifications(3);
    // In the order they came (popups stack on screen: newest first, or last).
    expect(calls.map((c) => [c.summary, c.body])).toEqual([
      // buildMessage's text is "Body.": the preview, on its own line (on by default).
      ['Ann Example <ann@example.test>', 'Quarterly report\nBody.'],
      ['Bob <bob@example.test>', 'Lunch?\nBody.'],
      ['cat@example.test', '(no subject)\nBody.'],
    ]);
    for (const call of calls) {
      expectOurs(call);
      expect(call).toMatchObject({ replaces_id: 0, replaced: false });
      // The first popups of a storm are heard: the spec's sound name for new mail.
      expect(call.hints['sound-name']).toBe('message-new-email');
    }
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);

    // A round trip later (a fourth message, its popup), still exactly one per message.
    await dovecot.append(user, 'INBOX', [buildMessage({ from: 'Dee <dee@example.test>' })]);
    await proc.events.waitForCount(newMail, 4, 'a fourth new-mail line');
    const after = await bus.waitForNotifications(4);
    expect(after).toHaveLength(4);
    expect(after[3]).toMatchObject({ summary: 'Dee <dee@example.test>', body: 'Hello\nBody.' });
    expect(proc.stderr()).not.toContain('desktop notification failed');
  });

  it('turns a storm into one summary in the place of its popups, updated in place', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user, { burstThreshold: 3 });
    const senders = ['Ann', 'Bob', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal'];
    await dovecot.append(
      user,
      'INBOX',
      senders.map((name, i) =>
        buildMessage({
          from: `${name} <${name.toLowerCase()}@example.test>`,
          subject: `m${i} & co`,
        }),
      ),
    );
    await proc.events.waitForCount(newMail, 8, 'eight new-mail lines');
    await bus.records.waitFor(
      (r) => r.call === 'Notify' && r.summary === '8 new messages in Work',
      'the summary updated to 8',
    );
    const calls = bus.notifications();
    const singles = calls.filter((c) => !c.summary.includes('new messages in'));
    const summaries = calls.filter((c) => c.summary.includes('new messages in'));
    // The first three pop up one by one (as markup: the server's capabilities were read)…
    expect(singles.map((c) => c.body)).toEqual(['m0 &amp; co', 'm1 &amp; co', 'm2 &amp; co']);
    for (const single of singles) expect(single).toMatchObject({ replaces_id: 0, replaced: false });
    // …the fourth turns the storm into a summary, in the place of the last popup…
    const third = singles.find((c) => c.body === 'm2 &amp; co');
    expect(summaries[0]).toMatchObject({
      summary: '4 new messages in Work',
      body: 'INBOX — from Ann, Bob, Cat, …',
      replaces_id: third?.id,
      replaced: true,
      id: third?.id,
    });
    expect(summaries[0]?.hints['sound-name']).toBe('message-new-email');
    // …and every later message updates that one notification, silently.
    for (const update of summaries.slice(1)) {
      expect(update).toMatchObject({ replaces_id: third?.id, replaced: true, id: third?.id });
      expect(update.hints).toMatchObject({ 'suppress-sound': true });
      expect(update.hint_types['suppress-sound']).toBe('b');
    }
    expect(summaries.at(-1)?.body).toBe('INBOX — from Ann, Bob, Cat, …');
    const counts = summaries.map((c) => Number(/^(\d+) new/.exec(c.summary)?.[1]));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    // Three notifications on the server in all: the storm never stacked a fourth…
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
    calls.forEach(expectOurs);
    // …and the first two were closed once the summary showed: one is left on screen.
    const closed = bus.records.items.filter((r) => r.call === 'CloseNotification');
    expect(closed).toEqual(
      singles.slice(0, 2).map((c) => ({ call: 'CloseNotification', id: c.id, was_open: true })),
    );
    const summaryAt = bus.records.items.indexOf(summaries[0] as NotifyCall);
    expect(bus.records.items.slice(summaryAt + 1, summaryAt + 3)).toEqual(closed);
    expect(bus.open()).toEqual([third?.id]);
  });

  it('closes the popup of a message read on another device, and no other (issue 24)', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user);
    const [read, kept] = [newMessageId(), newMessageId()];
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: read, subject: 'read me' })]);
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: kept, subject: 'keep me' })]);
    await proc.events.waitForCount(newMail, 2, 'both messages');
    await bus.records.waitForCount((r) => r.call === 'Notify', 2, 'two popups');
    const [first, second] = bus.notifications() as [NotifyCall, NotifyCall];
    await dovecot.withClient(user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('1', ['\\Seen'], { uid: true });
    });
    await proc.events.waitFor((e) => e.event === 'read', 'the read line');
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the popup closed');
    expect(first.body).toBe('read me\nBody.');
    expect(bus.records.items.filter((r) => r.call === 'CloseNotification')).toEqual([
      { call: 'CloseNotification', id: first.id, was_open: true },
    ]);
    expect(bus.open()).toEqual([second.id]);
  });

  it("marks exactly the clicked popup's message as read on the server, and withdraws it", async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user);
    await dovecot.append(
      user,
      'INBOX',
      ['first', 'clicked', 'third'].map((subject) => buildMessage({ subject })),
    );
    const events = await proc.events.waitForCount(newMail, 3, 'three new-mail lines');
    const calls = await bus.waitForNotifications(3);
    calls.forEach(expectOurs);
    // The body's first line is the subject; the message's preview follows it.
    const clicked = calls.find((c) => c.body.split('\n')[0] === 'clicked') as NotifyCall;
    const uid = uidOf(events, 'clicked');
    expect(uid).toEqual(expect.any(Number));
    await bus.emit({ emit: 'ActionInvoked', id: clicked.id, key: 'read' });
    // The STORE on a borrowed connection; the watcher then sees the flag like any other.
    await proc.events.waitFor(readLine(uid), 'the read line of the clicked message');
    await bus.records.waitFor((r) => r.call === 'CloseNotification', 'the popup withdrawn');
    expect(await seenOnServer(user)).toEqual([
      ['first', false],
      ['clicked', true],
      ['third', false],
    ]);
    expect(bus.records.items.filter((r) => r.call === 'CloseNotification')).toEqual([
      { call: 'CloseNotification', id: clicked.id, was_open: true },
    ]);
    expect(bus.open()).toEqual(calls.filter((c) => c !== clicked).map((c) => c.id));
    expect(proc.stderr()).not.toMatch(/couldn't|desktop notification failed/);
  });

  it('marks the message read on a click of its popup where the account says popupClick "read"', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user, {}, {}, { popupClick: 'read' });
    await dovecot.append(
      user,
      'INBOX',
      ['kept', 'clicked'].map((subject) => buildMessage({ subject })),
    );
    const events = await proc.events.waitForCount(newMail, 2, 'two new-mail lines');
    const calls = await bus.waitForNotifications(2);
    const clicked = calls.find((c) => c.body.split('\n')[0] === 'clicked') as NotifyCall;
    // The click is listed with what it does (mako's and dunst's menus show it).
    expect(clicked.actions.slice(0, 2)).toEqual(['default', 'Mark as read']);
    await bus.emit({ emit: 'ActionInvoked', id: clicked.id, key: 'default' });
    await proc.events.waitFor(readLine(uidOf(events, 'clicked')), 'the read line of the click');
    expect(await seenOnServer(user)).toEqual([
      ['kept', false],
      ['clicked', true],
    ]);
  });

  it('marks exactly the messages a summary counts as read from its button, old mail untouched', async () => {
    const { user } = newUser();
    // Unread before the watch started: never announced, never counted, never marked.
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'old' })]);
    const proc = await watchWithPopups(user, { burstThreshold: 2 });
    await dovecot.append(
      user,
      'INBOX',
      ['s1', 's2', 's3'].map((subject) => buildMessage({ subject })),
    );
    const events = await proc.events.waitForCount(newMail, 3, 'three new-mail lines');
    const summary = await bus.records.waitFor(
      (r) => r.call === 'Notify' && r.summary === '3 new messages in Work',
      'the summary of three',
    );
    expect(summary.call === 'Notify' && summary.actions).toEqual(SUMMARY_BUTTONS);
    await bus.emit({ emit: 'ActionInvoked', id: summary.id, key: 'read-all' });
    for (const event of events) await proc.events.waitFor(readLine(event.uid), 'read');
    // Shown one less for each message done, then closed at zero: nothing of ours is left.
    await vi.waitFor(() => expect(bus.open()).toEqual([]));
    expect(await seenOnServer(user)).toEqual([
      ['old', false],
      ['s1', true],
      ['s2', true],
      ['s3', true],
    ]);
  });

  it('ignores a click on an id it never made, an unknown key, and one sent by another app', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'target' })]);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'sentinel' })]);
    const events = await proc.events.waitForCount(newMail, 2, 'two new-mail lines');
    const [target, sentinel] = (await bus.waitForNotifications(2)) as [NotifyCall, NotifyCall];
    await bus.emit({ emit: 'ActionInvoked', id: target.id, key: 'delete', foreign: true });
    await bus.emit({ emit: 'ActionInvoked', id: target.id + sentinel.id, key: 'read' });
    await bus.emit({ emit: 'ActionInvoked', id: target.id, key: 'archive' });
    await bus.emit({ emit: 'ActionInvoked', id: target.id, key: 'default' });
    await bus.emit({ emit: 'NotificationClosed', id: target.id, foreign: true });
    // Signals reach the watcher in the order they were sent: once the sentinel's click has
    // acted, the ones before it were all seen, and did nothing.
    await bus.emit({ emit: 'ActionInvoked', id: sentinel.id, key: 'read' });
    await proc.events.waitFor(readLine(uidOf(events, 'sentinel')), 'the sentinel read');
    expect(await seenOnServer(user)).toEqual([
      ['target', false],
      ['sentinel', true],
    ]);
    expect(bus.open()).toEqual([target.id]);
    // A foreign close did not make it forget the popup: its own button still works.
    await bus.emit({ emit: 'ActionInvoked', id: target.id, key: 'read' });
    await proc.events.waitFor(readLine(uidOf(events, 'target')), 'the target read');
    expect(proc.events.items.filter((e) => e.event === 'gone')).toEqual([]);
  });

  it('offers no buttons where the server has no actions capability', async () => {
    await bus.stop();
    bus = await startNotificationBus({ capabilities: ['body', 'body-markup', 'persistence'] });
    cleanups.push(() => bus.stop());
    const { user } = newUser();
    const proc = await watchWithPopups(user);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'plain' })]);
    await proc.events.waitForCount(newMail, 1, 'the new-mail line');
    const [call] = await bus.waitForNotifications(1);
    expect(call?.actions).toEqual([]);
    expect(call?.hints).toMatchObject({ category: 'email.arrived', urgency: 1 });
  });

  it('logs one warning and still writes the stream when there is no session bus', async () => {
    const { user } = newUser();
    const gone = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-nobus-')), 'bus');
    const proc = await watchWithPopups(user, {}, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${gone}` });
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'one' })]);
    await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'two' })]);
    await proc.events.waitForCount(newMail, 2, 'both new-mail lines');
    await waitForStderr(proc, /desktop notification failed/);
    // Both popups were tried by the time it has logged out (each fails at once): one warning.
    expect(await proc.stop()).toBe(0);
    const failures = proc.stderr().match(/desktop notification failed: [^\n]*/g) ?? [];
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/ENOENT/);
    expect(bus.records.items).toEqual([]);
  });

  // Markup, entities, quotes, backslashes, a would-be option, a shell substitution, and
  // encoded control and bidi characters.
  const hostileSubject =
    '--urgency=critical <b>bold</b> <a href="http://evil.test">x</a> &amp; ' +
    "'q' \\n \\\\ $(rm -rf ~) `id` =?UTF-8?Q?tab=09nl=0A_rlo=E2=80=AE_end?=";
  // What the stream says, sanitized: the text every popup must show.
  const plainSubject =
    '--urgency=critical <b>bold</b> <a href="http://evil.test">x</a> &amp; ' +
    "'q' \\n \\\\ $(rm -rf ~) `id` tab nl rlo end";
  // As markup: every <, >, &, quote an entity, so its text is the subject exactly.
  const escapedSubject =
    '--urgency=critical &lt;b&gt;bold&lt;/b&gt; &lt;a href=&quot;http://evil.test&quot;&gt;x&lt;/a&gt; ' +
    '&amp;amp; &apos;q&apos; \\n \\\\ $(rm -rf ~) `id` tab nl rlo end';
  // The text's first line, as hostile: markup, an escape sequence, a bidi override.
  const hostileText = '<i>Hi</i> & "you" \u001b[31m--icon=x \u202eexe.pdf\r\nmore';
  const plainPreview = '<i>Hi</i> & "you" --icon=x exe.pdf more';
  const escapedPreview = '&lt;i&gt;Hi&lt;/i&gt; &amp; &quot;you&quot; --icon=x exe.pdf more';

  it.each([
    {
      server: 'GNOME Shell',
      capabilities: GNOME_CAPABILITIES,
      body: `${escapedSubject}\n${escapedPreview}`,
    },
    {
      server: 'KDE Plasma',
      capabilities: KDE_CAPABILITIES,
      body: `${escapedSubject}\n${escapedPreview}`,
    },
    // The spec: markup sent to a server without body-markup shows through, so none is sent.
    {
      server: 'a server without body-markup',
      capabilities: NO_MARKUP,
      body: `${plainSubject}\n${plainPreview}`,
    },
  ])(
    'delivers a hostile sender, subject and preview to $server as plain text: no markup, option or escape',
    async ({ capabilities, body }) => {
      await bus.stop();
      bus = await startNotificationBus({ capabilities });
      cleanups.push(() => bus.stop());
      const { user } = newUser();
      const proc = await watchWithPopups(user);
      await dovecot.append(user, 'INBOX', [
        buildMessage({
          from: '"<i>Eve</i> & Co --icon=x" <eve@example.test>',
          subject: hostileSubject,
          body: hostileText,
        }),
      ]);
      const [event] = await proc.events.waitForCount(newMail, 1, 'the new-mail line');
      const [call] = await bus.waitForNotifications(1);
      expect(event?.subject).toBe(plainSubject);
      expect(call?.body).toBe(body);
      if (capabilities.includes('body-markup')) {
        expect(call?.body_markup).toEqual({
          text: `${plainSubject}\n${plainPreview}`,
          elements: [],
        });
      }
      // The title is plain text in the spec: sent as is.
      expect(call?.summary).toBe('<i>Eve</i> & Co --icon=x <eve@example.test>');
      expectOurs(call as NotifyCall);
      expect(call?.hints.urgency).toBe(1);
    },
  );

  it('shows neither sender nor subject with showSubject off, in popups and summary alike', async () => {
    const { user } = newUser();
    const proc = await watchWithPopups(user, { burstThreshold: 2, showSubject: false });
    await dovecot.append(
      user,
      'INBOX',
      ['Salary', 'Diagnosis', 'Lawyer'].map((subject) =>
        buildMessage({ from: 'Ann Secret <ann@secret.test>', subject }),
      ),
    );
    await proc.events.waitForCount(newMail, 3, 'three new-mail lines');
    const calls = await bus.waitForNotifications(3);
    expect(calls.map((c) => [c.summary, c.body])).toEqual([
      ['New mail in Work', 'INBOX'],
      ['New mail in Work', 'INBOX'],
      ['3 new messages in Work', 'INBOX'],
    ]);
    calls.forEach(expectOurs);
    expect(JSON.stringify(bus.records.items)).not.toMatch(/Ann|secret|Salary|Diagnosis|Lawyer/);
  });

  it('shows nothing in quiet hours, then one catch-up with the count when they end', async () => {
    const { user } = newUser();
    // Quiet hours are whole minutes: from this minute to the first minute boundary at least
    // 15 s away (up to 75 s of waiting, the only way to see the real end of quiet hours).
    const now = Date.now();
    const end = Math.ceil((now + 15_000) / 60_000) * 60_000;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const quietHours = [
      {
        days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
        from: hhmm(now),
        to: hhmm(end),
      },
    ];
    const proc = await watchWithPopups(user, { quietHours });
    await dovecot.append(user, 'INBOX', [
      buildMessage({ from: 'Ann <ann@example.test>', subject: 'late one' }),
      buildMessage({ from: 'Bob <bob@example.test>', subject: 'later one' }),
    ]);
    await proc.events.waitForCount(newMail, 2, 'two new-mail lines');
    // The stream had them in quiet hours (if this fails, the machine was too slow to test).
    expect(Date.now()).toBeLessThan(end);
    const [catchUp, ...more] = await bus.waitForNotifications(1, end - Date.now() + 20_000);
    // Had either message popped up, it would be first: the catch-up is the only call.
    expect(more).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(end);
    expect(catchUp).toMatchObject({
      summary: 'While you were away',
      body: '2 new in Work',
      replaces_id: 0,
    });
    expectOurs(catchUp as NotifyCall);
    // Catch-ups are silent.
    expect(catchUp?.hints['suppress-sound']).toBe(true);

    // After quiet hours, mail pops up again, and the catch-up was not repeated.
    await dovecot.append(user, 'INBOX', [buildMessage({ from: 'Cat <cat@example.test>' })]);
    const calls = await bus.waitForNotifications(2);
    expect(calls.map((c) => c.summary)).toEqual(['While you were away', 'Cat <cat@example.test>']);
  }, 120_000);
});
