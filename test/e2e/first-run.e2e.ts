/**
 * A person's first day with the real desktop app (issue 20), in Electron under
 * playwright-core, against a throwaway Dovecot: the first start opens the window on "Add
 * account"; the address finds nothing, so the server is entered by hand, tested, its INBOX
 * ticked and saved; new mail becomes one notification; the tray's Refresh now resyncs, Pause
 * holds popups while the count goes on, Show log opens the log; a second launch hands over
 * to the first and ends; with the window closed the app's cost at rest is printed (every
 * process's memory and CPU, summed, from app.getAppMetrics()); Quit says LOGOUT. Run by
 * `npm run test:e2e` where the Electron binary is installed (each CI OS); not here.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { buildMessage } from '../support/messages.js';
import { childEnv, launchArgs, launchTidings, type TidingsApp } from './tidings-app.js';

const root = path.join(import.meta.dirname, '..', '..');
const results = path.join(root, 'test-results');
const user = 'fay';
const password = 'first-run-password';

/** What the recorder keeps in the main process (see `recordMainProcess`). */
interface Recorded {
  __e2eShown?: Array<{ title: string; body: string }>;
  __e2eTooltips?: string[];
  __e2eOpened?: string[];
  __e2eStates?: string[];
  __e2eMenu?: unknown;
}

let dovecot: Dovecot;
let work: string;
let tidings: TidingsApp | undefined;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.addUser(user, password);
  work = mkdtempSync(path.join(tmpdir(), 'tidings-e2e-first-'));
  mkdirSync(results, { recursive: true });
});

afterAll(async () => {
  await tidings?.dispose();
  await dovecot?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('takes a new user from the first start to a watched account, popups, the tray, and a clean quit', async () => {
  const userDataDir = path.join(work, 'user-data');
  mkdirSync(userDataDir);
  const running = await launchTidings({ appDir: root, userDataDir });
  tidings = running;
  await recordMainProcess(running);
  const window = await running.app.firstWindow();

  // First run: no account, the window is open on "Add account".
  await expect.poll(() => window.locator('#editor-title').textContent()).toBe('Add account');
  await window.screenshot({ path: path.join(results, 'e2e-first-run.png') });

  await addAccountByHand(window);
  await expect
    .poll(() => inboxState(window), { timeout: 20_000, message: 'the new account never watched' })
    .toBe('idle');

  // One new message: exactly one notification.
  await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'First-run hello' })]);
  await expect
    .poll(async () => (await recorded(running)).shown?.map((n) => n.body), { timeout: 15_000 })
    .toEqual(['First-run hello\nBody.']);

  // Refresh now: the watcher resyncs ("syncing: refresh") and is idle again.
  await clickTray(running, ['Refresh now']);
  await expect
    .poll(async () => (await recorded(running)).states ?? [], { timeout: 10_000 })
    .toContain('syncing: refresh');

  // Pause for an hour: mail is counted, not popped up. (Choosing from the menu was a look at
  // the tray: only the mail after it is new.)
  await clickTray(running, ['Pause notifications', 'For 1 hour']);
  await dovecot.append(user, 'INBOX', [buildMessage({ subject: 'While paused' })]);
  await expect
    .poll(async () => (await recorded(running)).tooltips?.at(-1), { timeout: 15_000 })
    .toBe('Tidings — 1 new · 2 unread');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect((await recorded(running)).shown?.map((n) => n.body)).toEqual(['First-run hello\nBody.']);

  // Show log opens the app's own log file.
  await clickTray(running, ['Show log']);
  await expect
    .poll(async () => (await recorded(running)).opened, { timeout: 5_000 })
    .toEqual([path.join(realpathSync(userDataDir), 'logs', 'tidings.log')]);

  // A second launch hands over to the first (its window comes forward) and ends at once.
  expect(await launchAgain(userDataDir)).toBe(0);
  await expect.poll(() => visibleWindows(running), { timeout: 5_000 }).toBe(1);

  // The cost at rest with the window closed: every process of the app, summed.
  await running.app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().forEach((w) => w.close()),
  );
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const cost = await appMetrics(running);
  console.log(
    `e2e: at rest with the window closed (${process.platform}): ${cost.processes} processes, ` +
      `${cost.memoryMb.toFixed(1)} MB working set in all (goal ≤ 150 MB), ` +
      `${cost.cpuPercent.toFixed(2)} % CPU in all`,
  );

  // Quit: the process ends cleanly.
  expect(await running.quit(20_000)).toEqual({ code: 0, signal: null });
});

/** Fills the email-first form as a person would: nothing found, so the server by hand. */
async function addAccountByHand(window: Page): Promise<void> {
  // .invalid never resolves (RFC 6761): every lookup fails fast, and the form says so.
  await window.getByLabel('Email address').fill(`${user}@first-run.invalid`);
  await window.getByRole('button', { name: 'Continue' }).click();
  await expect
    .poll(() => window.locator('#f-email-status').textContent(), { timeout: 30_000 })
    .toMatch(/could not find settings/);
  await window.getByLabel('Name').fill('First');
  await window.getByLabel('User name').fill(user);
  await window.getByLabel('Password', { exact: true }).fill(password);
  await window.getByLabel('IMAP server').fill(dovecot.host);
  await window.getByLabel('Security').selectOption('none');
  await window.getByLabel('Port').fill(String(dovecot.port));
  await window.getByLabel('Send my password unencrypted (only on a network I trust)').check();
  await window.getByRole('button', { name: 'Test connection' }).click();
  await expect
    .poll(() => window.locator('#test-result').textContent(), { timeout: 20_000 })
    .toMatch(/^Connected\./);
  await window.getByRole('checkbox', { name: 'INBOX', exact: true }).check();
  await window.getByRole('button', { name: 'Save account' }).click();
}

/** The INBOX line's state in the window, or null while there is none. */
async function inboxState(window: Page): Promise<string | null> {
  const badge = window.locator('li.account .mailbox-status[data-mailbox="INBOX"] [data-state]');
  return (await badge.count()) === 0 ? null : badge.first().getAttribute('data-state');
}

/**
 * Records in the main process every notification shown, tray tooltip and menu set, path
 * opened and status sent to the window. Serialized into the main process: it may use only
 * its argument and globals.
 */
async function recordMainProcess({ app }: TidingsApp): Promise<void> {
  await app.evaluate(({ app: electronApp, Notification, Tray, shell, BrowserWindow }) => {
    const recorded = globalThis as typeof globalThis & Recorded;
    recorded.__e2eShown = [];
    recorded.__e2eTooltips = [];
    recorded.__e2eOpened = [];
    recorded.__e2eStates = [];
    const show = Notification.prototype.show;
    Notification.prototype.show = function () {
      recorded.__e2eShown?.push({ title: this.title, body: this.body });
      return show.call(this);
    };
    const setToolTip = Tray.prototype.setToolTip;
    Tray.prototype.setToolTip = function (toolTip) {
      recorded.__e2eTooltips?.push(toolTip);
      return setToolTip.call(this, toolTip);
    };
    const setContextMenu = Tray.prototype.setContextMenu;
    Tray.prototype.setContextMenu = function (menu) {
      recorded.__e2eMenu = menu;
      return setContextMenu.call(this, menu);
    };
    // Never really opens a file manager or an editor on the CI machine.
    shell.openPath = async (file: string) => {
      recorded.__e2eOpened?.push(file);
      return '';
    };
    const watchWindow = (window: Electron.BrowserWindow) => {
      const send = window.webContents.send.bind(window.webContents);
      window.webContents.send = (channel: string, ...args: unknown[]) => {
        if (channel === 'status:changed') {
          for (const status of args[0] as Array<{ state: string; detail: string }>) {
            recorded.__e2eStates?.push(`${status.state}: ${status.detail}`);
          }
        }
        send(channel, ...args);
      };
    };
    BrowserWindow.getAllWindows().forEach(watchWindow);
    electronApp.on('browser-window-created', (_event, window) => watchWindow(window));
  });
}

/** Clicks a tray menu item by its labels (`['Pause notifications', 'For 1 hour']`). */
async function clickTray({ app }: TidingsApp, labels: string[]): Promise<void> {
  const clicked = await app.evaluate((_electron, path: string[]) => {
    type Item = { label: string; click: () => void; submenu?: { items: Item[] } };
    const menu = (globalThis as typeof globalThis & Recorded).__e2eMenu as
      { items: Item[] } | undefined;
    let items = menu?.items ?? [];
    let item: Item | undefined;
    for (const label of path) {
      item = items.find((candidate) => candidate.label === label);
      items = item?.submenu?.items ?? [];
    }
    item?.click();
    return item !== undefined;
  }, labels);
  expect(clicked, `no tray item ${labels.join(' › ')}`).toBe(true);
}

async function recorded({ app }: TidingsApp): Promise<{
  shown: Recorded['__e2eShown'];
  tooltips: Recorded['__e2eTooltips'];
  opened: Recorded['__e2eOpened'];
  states: Recorded['__e2eStates'];
}> {
  return app.evaluate(() => {
    const r = globalThis as typeof globalThis & Recorded;
    return {
      shown: r.__e2eShown,
      tooltips: r.__e2eTooltips,
      opened: r.__e2eOpened,
      states: r.__e2eStates,
    };
  });
}

function visibleWindows({ app }: TidingsApp): Promise<number> {
  return app.evaluate(
    ({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length,
  );
}

/** Starts the app a second time on the same profile; resolves with its exit code. */
function launchAgain(userDataDir: string): Promise<number | null> {
  const electron = createRequire(import.meta.url)('electron') as unknown as string;
  const child = spawn(electron, [root, ...launchArgs({ appDir: root, userDataDir })], {
    env: { ...childEnv(), TIDINGS_USER_DATA_DIR: userDataDir },
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the second launch did not end within 20 s'));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Every process's working set and CPU, summed (two samples: CPU is measured between calls). */
async function appMetrics({ app }: TidingsApp): Promise<{
  processes: number;
  memoryMb: number;
  cpuPercent: number;
}> {
  await app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics());
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  return app.evaluate(({ app: electronApp }) => {
    const metrics = electronApp.getAppMetrics();
    return {
      processes: metrics.length,
      memoryMb: metrics.reduce((sum, m) => sum + m.memory.workingSetSize, 0) / 1024,
      cpuPercent: metrics.reduce((sum, m) => sum + m.cpu.percentCPUUsage, 0),
    };
  });
}
