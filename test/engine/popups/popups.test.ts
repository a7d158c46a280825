/**
 * Popups from real mail: a real Dovecot and engine, the popup policy built from settings as
 * the notifiers build it, and a recording `show` in place of the desktop. What a user sees:
 * a storm as one summary updated in place, quiet hours and pause ending in one catch-up,
 * VIPs through quiet hours, muted senders and lists never.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settingsSchema, weekdays, type Settings } from '../../../app/common/settings-schema.js';
import type { PopupEvent } from '../../../app/main/engine/popups/popup-policy.js';
import { createPopupPolicy } from '../../../app/main/engine/popups/popup-settings.js';
import { systemClock } from '../../../app/main/engine/base/ports.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useDovecotSuite } from '../../support/dovecot-suite.js';
import { startEngine, testAccount } from '../../support/engine-harness.js';
import { buildMessage } from '../../support/messages.js';

let dovecot: Dovecot;
const { cleanups } = useDovecotSuite((started) => (dovecot = started));
let users = 0;

/** A quiet period holding the present moment: today, from a minute ago for two hours. */
function quietNow(): Settings['notifications']['quietHours'] {
  const now = new Date();
  const at = (date: Date) =>
    `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  const from = new Date(now.getTime() - 60_000);
  const to = new Date(now.getTime() + 2 * 3_600_000);
  return [{ days: [weekdays[from.getDay()] ?? 'sun'], from: at(from), to: at(to) }];
}

async function setUp(notifications: Record<string, unknown> = {}, account = {}) {
  const user = `p${++users}`;
  dovecot.addUser(user, 'pw');
  await dovecot.withClient(user, (client) => client.mailboxCreate('Staging'));
  let settings = settingsSchema.parse({
    accounts: [{ ...testAccount(dovecot, 'work', user, 'pw'), name: 'Work', ...account }],
    notifications,
    liveness: { heartbeatSeconds: 30, commandTimeoutSeconds: 5 },
  });
  const popups: PopupEvent[] = [];
  let pausedUntil: Date | null = null;
  const policy = createPopupPolicy(
    {
      notifications: () => settings.notifications,
      account: (id) => settings.accounts.find((a) => a.id === id),
      pausedUntil: () => pausedUntil,
    },
    systemClock,
    (event) => popups.push(event),
  );
  const engine = startEngine(settings, undefined, {
    notifier: { notify: (announcement) => policy.announce(announcement.message) },
  });
  cleanups.push(async () => {
    policy.close();
    await engine.supervisor.stop();
  });
  await engine.allIdle(settings);
  return {
    user,
    popups,
    policy,
    pause: (until: Date | null) => (pausedUntil = until),
    change: (next: Record<string, unknown>) => {
      settings = settingsSchema.parse({ ...settings, notifications: next });
    },
    /** Delivers `count` messages at once (one MOVE, as a server-side filter would). */
    async storm(count: number, from = (i: number) => `Sender ${i % 3} <s${i % 3}@example.test>`) {
      await dovecot.append(
        user,
        'Staging',
        Array.from({ length: count }, (_, i) => buildMessage({ from: from(i), subject: `m${i}` })),
      );
      await dovecot.withClient(user, async (client) => {
        await client.mailboxOpen('Staging');
        await client.messageMove('1:*', 'INBOX');
      });
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('popups from real mail', () => {
  it('shows a storm of 40 as five popups, then one summary in their place, updated to 40', async () => {
    const run = await setUp({ burstThreshold: 5 });
    await run.storm(40);
    await vi.waitFor(
      () => expect(run.popups.at(-1)?.popup).toMatchObject({ kind: 'summary', count: 40 }),
      { timeout: 10_000 },
    );
    const kinds = run.popups.map((e) => e.popup.kind);
    expect(kinds.slice(0, 6)).toEqual([...Array<string>(5).fill('message'), 'summary']);
    expect(run.popups[5]?.replaces).toEqual(run.popups.slice(0, 5).map((e) => e.id));
    // Every later popup is a summary replacing the one before: one on screen, updated.
    for (let i = 6; i < run.popups.length; i++) {
      expect(run.popups[i]).toMatchObject({
        popup: { kind: 'summary' },
        replaces: [run.popups[i - 1]?.id],
        sound: false,
      });
    }
    expect(run.popups.length).toBeLessThanOrEqual(10);
  });

  it('holds popups in quiet hours and ends them in exactly one catch-up with the count', async () => {
    const run = await setUp({ quietHours: quietNow() });
    await run.storm(7);
    await dovecot.append(run.user, 'INBOX', [buildMessage({ subject: 'one more' })]);
    // The stream had them all; the popups wait.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(run.popups).toEqual([]);
    run.change({ quietHours: [] });
    run.policy.recheck();
    expect(run.popups.map((e) => e.popup)).toEqual([
      { kind: 'catch-up', counts: [{ account: 'work', count: 8 }] },
    ]);
    run.policy.recheck();
    expect(run.popups).toHaveLength(1);
  });

  it('holds popups while paused, VIPs too, and shows one catch-up when the pause ends', async () => {
    const run = await setUp({ vip: ['boss@example.test'] });
    run.pause(new Date(Date.now() + 3_600_000));
    await run.storm(3, (i) => (i === 0 ? 'Boss <boss@example.test>' : 'Ann <ann@example.test>'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(run.popups).toEqual([]);
    run.pause(null);
    run.policy.recheck();
    expect(run.popups.map((e) => e.popup)).toEqual([
      { kind: 'catch-up', counts: [{ account: 'work', count: 3 }] },
    ]);
  });

  it('lets a VIP through quiet hours, by address or by domain, and no one else', async () => {
    const run = await setUp({
      quietHours: quietNow(),
      vip: ['boss@example.test', 'family.example'],
    });
    const senders = [
      'Boss <boss@example.test>',
      'Ann <ann@example.test>',
      'Mum <mum@family.example>',
    ];
    await run.storm(3, (i) => senders[i] ?? '');
    await vi.waitFor(() => expect(run.popups).toHaveLength(2), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      run.popups.map((e) => (e.popup.kind === 'message' ? e.popup.message.fromAddress : null)),
    ).toEqual(['boss@example.test', 'mum@family.example']);
  });

  it('never pops up a muted sender or mailing list (by its List-Id), nor an account with popups off', async () => {
    const run = await setUp({
      muteSenders: ['noreply@shop.example'],
      muteLists: ['dev.lists.example'],
    });
    await dovecot.append(run.user, 'INBOX', [
      buildMessage({ from: 'Shop <noreply@shop.example>', subject: 'sale' }),
      buildMessage({
        from: 'Ann <ann@example.test>',
        subject: 'list mail',
        headers: ['List-Id: =?UTF-8?Q?D=C3=A9v?= list <dev.lists.example>'],
      }),
      buildMessage({ from: 'Ann <ann@example.test>', subject: 'direct' }),
    ]);
    await vi.waitFor(() => expect(run.popups).toHaveLength(1), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(run.popups.map((e) => e.popup.kind === 'message' && e.popup.message.subject)).toEqual([
      'direct',
    ]);

    const off = await setUp({}, { popups: false });
    await off.storm(2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(off.popups).toEqual([]);
  });
});
