/**
 * The renderer tests' page: the settings window in Debian's Chromium (playwright-core), loaded
 * from the built files as Electron loads them (file://, with its CSP), talking to a fake
 * preload bridge. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { AboutView, AccountView, SettingsView } from '../../app/common/ipc-contract.js';
import { installFakeBridge, type FakeBridgeSetup } from '../support/fake-bridge.js';

const root = path.join(import.meta.dirname, '..', '..');
const pageUrl = pathToFileURL(path.join(root, 'dist/renderer/index.html')).href;
const shots = path.join(root, 'test-results');

/** Settings with no accounts and every default. */
export const emptySettings: SettingsView = {
  accounts: [],
  notifications: { burstThreshold: 5, sound: true, showSubject: true, preview: true },
  liveness: { heartbeatSeconds: 60, commandTimeoutSeconds: 15, maxBackoffSeconds: 300 },
  startAtLogin: false,
  checkForUpdates: true,
  tray: { countInIcon: false, count: 'unread' },
  secretStorageWarning: null,
};

/** An installed build that updates itself and has not checked yet. */
export const aboutIdle: AboutView = {
  version: '0.1.0 (61d5d5a4dd92)',
  logPath: '/home/ann/.config/Tidings/logs/tidings.log',
  update: { state: 'idle', checkedAt: null },
};

/** A saved account with a stored password, watching two mailboxes. */
export const work: AccountView = {
  id: 'work',
  name: 'Work',
  host: 'imap.example.com',
  tls: 'implicit',
  user: 'ann@example.com',
  mailboxes: ['INBOX', 'Team'],
  allowInsecureAuth: false,
  hasPassword: true,
};

/** Opens the window with a fake bridge set up from `setup`. */
export type OpenPage = (
  setup?: Partial<FakeBridgeSetup>,
  colorScheme?: 'light' | 'dark',
) => Promise<{ page: Page; errors: string[] }>;

/** Launches Chromium before the file's tests and closes it after; returns how to open a page. */
export function useSettingsWindow(): OpenPage {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async (setup = {}, colorScheme = 'light') => {
    if (!browser) throw new Error('the browser is not launched yet: open pages inside tests');
    const context = await browser.newContext({
      colorScheme,
      viewport: { width: 720, height: 560 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    const bridge: FakeBridgeSetup = {
      settings: emptySettings,
      statuses: [],
      testResult: { ok: true, mailboxes: ['INBOX', 'Archive', 'Team'] },
      about: aboutIdle,
      ...setup,
    };
    await page.addInitScript(installFakeBridge, bridge);
    await page.goto(pageUrl);
    return { page, errors };
  };
}

/** The path of screenshot `name` in test-results/. */
export function shot(name: string): string {
  return path.join(shots, name);
}

/** The arguments of every call the page made to the bridge's `method`. */
export async function calls(page: Page, method: string): Promise<unknown[][]> {
  return page.evaluate(
    (name) =>
      (window as unknown as { __calls: Array<{ method: string; args: unknown[] }> }).__calls
        .filter((call) => call.method === name)
        .map((call) => call.args),
    method,
  );
}

/** The id of the focused element. */
export function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}

/**
 * Presses Tab (or `key`, such as Shift+Tab) until the element `id` has focus, at most `limit`
 * times, and says how many presses it took (or throws: the element cannot be reached by
 * keyboard).
 */
export async function tabTo(page: Page, id: string, limit = 12, key = 'Tab'): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(key);
    if ((await focusedId(page)) === id) return presses;
  }
  throw new Error(
    `#${id} not reached in ${limit} presses of ${key} (at #${await focusedId(page)})`,
  );
}

/** The sidebar's sections, by the name of their tab. */
export const sectionTabs = {
  accounts: 'Accounts',
  notifications: 'Notifications',
  'quiet-hours': 'Quiet hours and rules',
  about: 'About',
} as const;
/** A section of the sidebar. */
export type Section = keyof typeof sectionTabs;

/** Shows `section` by clicking its tab in the sidebar. */
export async function openSection(page: Page, section: Section): Promise<void> {
  await page.getByRole('tab', { name: sectionTabs[section] }).click();
}

/** The section showing, by its id (`section-…`). */
export function shownSection(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => document.querySelector<HTMLElement>('[role="tabpanel"]:not([hidden])')?.id,
  );
}
