/**
 * The real desktop app end to end, in Electron under playwright-core: an account seeded into
 * a throwaway profile is watched against a throwaway Dovecot, its state shows live in the
 * settings window, one new message becomes exactly one native notification and a tray
 * update, and quitting says LOGOUT. On Linux the app shows popups over D-Bus itself: it runs
 * on a private session bus whose recording notification server sees them. Run by `npm run test:e2e` (scripts/run-e2e.mjs) where
 * the Electron binary is installed.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { buildMessage } from '../support/messages.js';
import { startNotificationBus, type NotificationBus } from '../support/notification-bus.js';
import { launchTidings, type TidingsApp } from './tidings-app.js';

const root = path.join(import.meta.dirname, '..', '..');
const screenshot = path.join(root, 'test-results', 'e2e-settings-window.png');
const user = 'tess';
const password = 'e2e-password-in-clear';
const sender = 'Ann Sender <ann@example.test>';
const subject = 'Tidings end-to-end: one new message';

/** What the test records in the main process; see `recordAnnouncements`. */
interface Recorded {
  __e2eShown?: Array<{ title: string; body: string }>;
  __e2eTooltips?: string[];
}

let dovecot: Dovecot;
let work: string;
let userDataDir: string;
let tidings: TidingsApp | undefined;
// Linux: where the app's popups go (app/main/freedesktop), instead of Electron's Notification.
let bus: NotificationBus | undefined;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.addUser(user, password);
  work = mkdtempSync(path.join(tmpdir(), 'tidings-e2e-'));
  userDataDir = path.join(work, 'user-data');
  mkdirSync(userDataDir);
  const account = {
    id: 'e2e',
    name: 'E2E',
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    allowInsecureAuth: true,
    user,
    password,
    mailboxes: ['INBOX'],
  };
  writeFileSync(path.join(work, 'seed.json'), JSON.stringify({ account }));
});

afterAll(async () => {
  await tidings?.dispose();
  await bus?.stop();
  await dovecot?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('watches a seeded account, shows it live, announces a new message once and logs out on quit', async ({
  onTestFailed,
}) => {
  if (process.platform === 'linux') bus = await startNotificationBus();
  const running = await launchTidings({
    appDir: root,
    userDataDir,
    seedFile: path.join(work, 'seed.json'),
    ...(bus ? { env: { DBUS_SESSION_BUS_ADDRESS: bus.address } } : {}),
  });
  tidings = running;
  onTestFailed(() => console.error(describeLastSeen(running)));
  const window = await running.app.firstWindow();

  await expectSeededAndWatching(running, window);
  mkdirSync(path.dirname(screenshot), { recursive: true });
  await window.screenshot({ path: screenshot });
  await expectOneAnnouncement(running, window);
  await expectLogoutOnQuit(running);
});

/** The app runs on the throwaway profile, stored the seed safely and shows it watching. */
async function expectSeededAndWatching({ app }: TidingsApp, window: Page): Promise<void> {
  // Never the user's own settings (nor their running Tidings' single-instance lock).
  const userData = await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'));
  expect(realpathSync(userData), 'TIDINGS_USER_DATA_DIR was not used').toBe(
    realpathSync(userDataDir),
  );
  await expect
    .poll(() => readInboxRow(window), {
      timeout: 20_000,
      message: 'the settings window never showed the INBOX of "E2E" as watching',
    })
    .toMatchObject({ state: 'idle', label: 'watching' });
  // Seeded through the validated store: the password is kept as safeStorage ciphertext only.
  const stored = readFileSync(path.join(userDataDir, 'settings.json'), 'utf8');
  expect(stored, 'the password was written to settings.json in clear').not.toContain(password);
  expect(JSON.parse(stored)).toMatchObject({
    accounts: [{ id: 'e2e', passwordCipher: expect.any(String) }],
  });
  const windows = () =>
    app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ title: w.getTitle(), visible: w.isVisible() })),
    );
  // Shown on 'ready-to-show', which may come a moment after the page is scriptable.
  await expect
    .poll(windows, { timeout: 5_000, message: 'not exactly one visible settings window' })
    .toEqual([{ title: 'Tidings Settings', visible: true }]);
}

/** One APPEND becomes one notification (sender, subject), a tray tooltip and a window count. */
async function expectOneAnnouncement(running: TidingsApp, window: Page): Promise<void> {
  const { app } = running;
  if (!bus) {
    const supported = await app.evaluate(({ Notification }) => Notification.isSupported());
    expect(supported, 'Electron cannot show notifications here').toBe(true);
  }
  await recordAnnouncements(running);
  await dovecot.append(user, 'INBOX', [buildMessage({ from: sender, subject })]);
  // buildMessage's text, "Body.", is the preview under the subject (on by default).
  const one = [{ title: sender, body: `${subject}\nBody.` }];
  await expect
    .poll(async () => (await readRecorded(running)).shown, {
      timeout: 15_000,
      message: 'the new message was not shown as exactly one notification',
    })
    .toEqual(one);
  await expect
    .poll(async () => (await readRecorded(running)).tooltips?.at(-1), {
      timeout: 5_000,
      message: "the tray's tooltip never counted the new message",
    })
    .toBe('Tidings — 1 new · 1 unread');
  await expect
    .poll(() => readInboxRow(window), { timeout: 5_000, message: 'the window never counted it' })
    .toMatchObject({ state: 'idle', text: expect.stringContaining('1 unread') });
  // Exactly once: nothing more turns up a moment later (a resync must not repeat it).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const later = (await readRecorded(running)).shown;
  expect(later, 'the message was announced more than once').toEqual(one);
}

/** Quitting ends the process cleanly after the watcher said LOGOUT. */
async function expectLogoutOnQuit(running: TidingsApp): Promise<void> {
  // The APPEND's own connection logged out as well: count from after its line was written.
  await expect.poll(countLogouts, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
  const before = countLogouts();
  expect(await running.quit(20_000), 'the app did not exit cleanly').toEqual({
    code: 0,
    signal: null,
  });
  await expect
    .poll(countLogouts, {
      timeout: 5_000,
      message: `Dovecot logged no LOGOUT of ${user}'s watcher`,
    })
    .toBeGreaterThan(before);
}

/** Records, in the main process, every notification shown and every tray tooltip set. */
async function recordAnnouncements({ app }: TidingsApp): Promise<void> {
  // Serialized into the main process: it may use only its argument and globals.
  await app.evaluate(({ Notification, Tray }) => {
    const recorded = globalThis as typeof globalThis & Recorded;
    const shown: Array<{ title: string; body: string }> = [];
    const tooltips: string[] = [];
    recorded.__e2eShown = shown;
    recorded.__e2eTooltips = tooltips;
    const show = Notification.prototype.show;
    Notification.prototype.show = function () {
      shown.push({ title: this.title, body: this.body });
      return show.call(this);
    };
    const setToolTip = Tray.prototype.setToolTip;
    Tray.prototype.setToolTip = function (toolTip) {
      tooltips.push(toolTip);
      return setToolTip.call(this, toolTip);
    };
  });
}

/** What `recordAnnouncements` has seen so far. */
async function readRecorded({ app }: TidingsApp): Promise<{
  shown: Recorded['__e2eShown'];
  tooltips: Recorded['__e2eTooltips'];
}> {
  const recorded = await app.evaluate(() => {
    const recorded = globalThis as typeof globalThis & Recorded;
    return { shown: recorded.__e2eShown, tooltips: recorded.__e2eTooltips };
  });
  // Linux: the popups the notification server received (summary and body as sent; the body
  // of this test's subject needs no markup escape).
  if (!bus) return recorded;
  const shown = bus.notifications().map((call) => ({ title: call.summary, body: call.body }));
  return { ...recorded, shown };
}

/** The INBOX line of the seeded account as the window shows it, or what the window shows. */
async function readInboxRow(
  page: Page,
): Promise<{ state: string | null; label: string; text: string }> {
  const row = page.locator('li.account[data-account="e2e"] .mailbox-status[data-mailbox="INBOX"]');
  const textOf = async (locator: Locator) =>
    (await locator.innerText({ timeout: 2_000 })).replace(/\s+/g, ' ').trim();
  if ((await row.count()) === 0) {
    const shown = await textOf(page.locator('#accounts'));
    return { state: null, label: 'no INBOX line for "e2e"', text: shown };
  }
  const badge = row.locator('[data-state]');
  return {
    state: await badge.getAttribute('data-state', { timeout: 2_000 }),
    label: await textOf(badge),
    text: await textOf(row),
  };
}

/** The app's console output and log, and Dovecot's log, as they last were. */
function describeLastSeen(running: TidingsApp): string {
  // The composition root logs to <userData>/logs/tidings.log, only warnings on the console.
  const appLog = path.join(userDataDir, 'logs', 'tidings.log');
  const serverLog = path.join(dovecot.dir, 'dovecot.log');
  return [
    `Tidings' console output:\n${running.output() || '(none)'}`,
    `Tidings' log ${appLog}:\n${lastLines(appLog, 40)}`,
    `Dovecot's log:\n${lastLines(serverLog, 20)}`,
  ].join('\n\n');
}

function lastLines(file: string, count: number): string {
  if (!existsSync(file)) return '(no such file)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
}

/** How many of `user`'s IMAP sessions Dovecot logged as ended by LOGOUT so far. */
function countLogouts(): number {
  const logout = new RegExp(`imap\\(${user}\\).*Disconnected: Logged out`);
  // startDovecot writes its log to <dir>/dovecot.log (log_path in its config).
  const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
  return log.split('\n').filter((line) => logout.test(line)).length;
}
