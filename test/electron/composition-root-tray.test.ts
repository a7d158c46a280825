/**
 * app/main/index.ts with a mocked electron module and the real engine against Dovecot: the
 * tray counts the mail new since the user last looked. Mail delivered by APPEND raises it (in
 * the tooltip and, drawn, in the icon), a message read by another client lowers it, and
 * opening the tray's menu or clicking a popup starts it again from zero. On Linux the app's
 * popups go over D-Bus: here to the recording notification server on a private bus, where the
 * popup's click is its "default" action.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { FakeImage, FakeTray, fake } from '../support/electron-fake.js';
import { decode, maskOf } from '../support/icon-pixels.js';
import { buildMessage } from '../support/messages.js';
import { startNotificationBus, type NotificationBus } from '../support/notification-bus.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());

let dovecot: Dovecot;
let bus: NotificationBus;
const busAddress = process.env.DBUS_SESSION_BUS_ADDRESS;
beforeAll(async () => {
  dovecot = await startDovecot({ ann: 'pw-Tray-42' });
  bus = await startNotificationBus();
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
});
afterAll(async () => {
  if (busAddress === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = busAddress;
  await bus.stop();
  await dovecot?.stop();
});

/** The white digits of the tray image's 1× representation. */
function digits(tray: FakeTray): string[] {
  const image = tray.image as unknown as FakeImage;
  if (!(image instanceof FakeImage)) return [];
  const png = image.representations.find((r) => r.scaleFactor === 1)?.buffer;
  if (!png) return [];
  return maskOf(decode(png), (rgba) => rgba.every((v) => v === 255));
}

describe('the composition root and the tray count', () => {
  it('counts new mail until the menu opens or a popup is clicked, less what is read elsewhere', async () => {
    // The user's choice, saved before this start: count new mail, and draw the number.
    writeFileSync(
      path.join(fake.userData, 'settings.json'),
      JSON.stringify({ tray: { countInIcon: true, count: 'new' } }),
    );
    const seed = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-seed-')), 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        account: {
          id: 'ann',
          host: dovecot.host,
          port: dovecot.port,
          tls: 'none',
          allowInsecureAuth: true,
          user: 'ann',
          password: 'pw-Tray-42',
          mailboxes: ['INBOX'],
        },
      }),
    );
    const argv = process.argv;
    process.argv = [...argv, '--hidden', `--seed-account=${seed}`];
    try {
      // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
      await import('../../app/main/index.ts?tray-count');
      await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    } finally {
      process.argv = argv;
    }
    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(
      () =>
        expect(tray.menu?.template).toContainEqual(
          expect.objectContaining({ label: 'ann — no unread mail' }),
        ),
      { timeout: 10_000 },
    );
    expect(tray.tooltip).toBe('Tidings — 0 new · 0 unread');

    const [first, second] = await dovecot.append('ann', 'INBOX', [
      buildMessage({ subject: 'One' }),
      buildMessage({ subject: 'Two' }),
    ]);
    await vi.waitFor(() => expect(tray.tooltip).toBe('Tidings — 2 new · 2 unread'), {
      timeout: 10_000,
    });
    expect(digits(tray)).toEqual(['###', '..#', '###', '#..', '###']);

    // Read on another device: one less, in the tooltip and in the icon.
    await dovecot.withClient('ann', async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd(String(first), ['\\Seen'], { uid: true });
    });
    await vi.waitFor(() => expect(tray.tooltip).toBe('Tidings — 1 new · 1 unread'), {
      timeout: 10_000,
    });
    expect(digits(tray)).toEqual(['.#.', '##.', '.#.', '.#.', '###']);
    expect(second).toBeGreaterThan(first ?? 0);

    // The menu opens: nothing is new, and the icon (counting new mail) is quiet.
    tray.menu?.emit('menu-will-show', {});
    await vi.waitFor(() => expect(tray.tooltip).toBe('Tidings — 0 new · 1 unread'));
    expect(tray.image).toMatchObject({ path: expect.stringMatching(/quiet\.png$/) });

    // More mail, then a click on its popup: looked at again.
    await dovecot.append('ann', 'INBOX', [buildMessage({ subject: 'Three' })]);
    await vi.waitFor(() => expect(tray.tooltip).toBe('Tidings — 1 new · 2 unread'), {
      timeout: 10_000,
    });
    const calls = await bus.waitForNotifications(3);
    const popup = calls.find((call) => call.body.startsWith('Three'));
    expect(popup).toBeDefined();
    await bus.emit({ emit: 'ActionInvoked', id: popup?.id ?? 0, key: 'default' });
    await vi.waitFor(() => expect(tray.tooltip).toBe('Tidings — 0 new · 2 unread'));

    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });
});
