/**
 * The tray's menu and icon, computed from state by pure functions so they are unit-tested
 * without Electron: a notice when the last run crashed, a line per account (its worst state
 * and its unread total), "Restart to update to 1.4.0" once an update is downloaded, "Refresh
 * now", "Pause notifications", "Settings…", "Show log", "Start at login", the version, "Quit".
 */
import type { MenuItemConstructorOptions } from 'electron';
import { problemStates, type WatcherState } from '../../common/account-status.js';
import type { StatusView, UpdateStatus } from '../../common/ipc-contract.js';
import { defaultTraySettings, type TraySettings } from '../../common/settings-schema.js';
import { isPaused, type PauseChoice } from './pause.js';

/** What the tray shows. */
export interface TrayState {
  /** `oauth2`: the account signs in with a provider, so a refused login means "sign in again". */
  accounts: Array<{ id: string; name: string; oauth2?: boolean }>;
  statuses: StatusView[];
  /** Messages new since the user last looked (new-mail-count.ts). */
  newMail: number;
  /** What the icon counts, and whether it draws the number. */
  tray: TraySettings;
  pausedUntil: Date | null;
  startAtLogin: boolean;
  now: Date;
  /** "Tidings 0.1.0 (abc1234def56)": the About line. */
  about: string;
  /** Shown first, disabled ("Recovered from a crash at 14:02 — see Show log"). */
  notice?: string | undefined;
  update?: UpdateStatus | undefined;
}

/** What the menu's items do. */
export interface TrayActions {
  /** The user looked at the tray (opened its menu, clicked it): nothing is new any more. */
  looked(): void;
  refresh(): void;
  pause(choice: PauseChoice): void;
  openSettings(): void;
  /** Opens the log file, for a user reporting a problem. */
  showLog(): void;
  setStartAtLogin(enabled: boolean): void;
  /** Quits and installs the downloaded update. */
  restartToUpdate(): void;
  quit(): void;
}

/** Which icon the tray shows: unread mail, all quiet, or a problem. */
export type TrayIconKind = 'unread' | 'quiet' | 'problem';

/** Worst first: the state an account line shows when its mailboxes differ. */
const severity: WatcherState[] = [
  'auth-failed',
  'tls-error',
  'error',
  'offline',
  'backoff',
  'connecting',
  'syncing',
  'idle',
  'stopped',
];

/** What the tray icon and its tooltip show. */
export interface TraySummary {
  icon: TrayIconKind;
  /** The number drawn on the icon; 0 draws none (the icon's dot alone). */
  badge: number;
  tooltip: string;
}

/**
 * The icon, its number and the tooltip: the tooltip always says both counts ("Tidings — 4
 * new · 599 unread · 1 problem"); the icon shows the one the user chose to count, as a dot
 * or, with `countInIcon`, as a number.
 */
export function summarizeTray(
  statuses: StatusView[],
  newMail = 0,
  settings: TraySettings = defaultTraySettings,
): TraySummary {
  const unread = totalUnread(statuses);
  const problems = statuses.filter((s) => problemStates.has(s.state)).length;
  const parts = [`${newMail} new`, `${unread} unread`];
  if (problems > 0) parts.push(problems === 1 ? '1 problem' : `${problems} problems`);
  const counted = settings.count === 'new' ? newMail : unread;
  const icon: TrayIconKind = problems > 0 ? 'problem' : counted > 0 ? 'unread' : 'quiet';
  return {
    icon,
    badge: settings.countInIcon ? counted : 0,
    tooltip: `Tidings — ${parts.join(' · ')}`,
  };
}

/** The menu template for `state`. */
export function buildTrayMenu(
  state: TrayState,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const accountLines: MenuItemConstructorOptions[] =
    state.accounts.length === 0
      ? [{ label: 'No accounts yet', enabled: false }]
      : state.accounts.map((account) => accountLine(account, state.statuses, actions));
  const paused = isPaused(state.pausedUntil, state.now);
  const notice: MenuItemConstructorOptions[] = state.notice
    ? [{ label: state.notice, enabled: false }, { type: 'separator' }]
    : [];
  const update: MenuItemConstructorOptions[] =
    state.update?.state === 'ready'
      ? [
          { type: 'separator' },
          {
            label: `Restart to update to ${state.update.version}`,
            click: () => actions.restartToUpdate(),
          },
        ]
      : [];
  return [
    ...notice,
    ...accountLines,
    ...update,
    { type: 'separator' },
    { label: 'Refresh now', click: () => actions.refresh() },
    {
      label: paused
        ? `Notifications paused until ${formatTime(state.pausedUntil, state.now)}`
        : 'Pause notifications',
      submenu: [
        { label: 'For 1 hour', click: () => actions.pause('hour') },
        { label: 'Until tomorrow morning', click: () => actions.pause('tomorrow') },
        { label: 'Resume', enabled: paused, click: () => actions.pause('resume') },
      ],
    },
    { type: 'separator' },
    { label: 'Settings…', click: () => actions.openSettings() },
    { label: 'Show log', click: () => actions.showLog() },
    {
      label: 'Start at login',
      type: 'checkbox',
      checked: state.startAtLogin,
      click: (item) => actions.setStartAtLogin(item.checked),
    },
    { type: 'separator' },
    { label: state.about, enabled: false },
    { label: 'Quit Tidings', click: () => actions.quit() },
  ];
}

function accountLine(
  account: TrayState['accounts'][number],
  all: StatusView[],
  actions: TrayActions,
): MenuItemConstructorOptions {
  const statuses = all.filter((s) => s.account === account.id);
  // A provider that no longer accepts the sign-in: the line leads to the settings window,
  // where "Sign in again" waits beside the account.
  if (account.oauth2 && statuses.some((s) => s.state === 'auth-failed')) {
    return { label: `${account.name} — sign in again…`, click: () => actions.openSettings() };
  }
  return { label: describeAccount(account.name, statuses), enabled: false };
}

function describeAccount(name: string, statuses: StatusView[]): string {
  if (statuses.length === 0) return `${name} — not watching`;
  const worst = severity.find((state) => statuses.some((s) => s.state === state)) ?? 'idle';
  if (worst === 'idle' || worst === 'syncing') {
    const unread = totalUnread(statuses);
    return `${name} — ${unread === 0 ? 'no unread mail' : `${unread} unread`}${pushedAndPolled(statuses)}`;
  }
  return `${name} — ${stateLabel[worst]}`;
}

const stateLabel: Record<WatcherState, string> = {
  connecting: 'connecting…',
  syncing: 'syncing…',
  idle: 'watching',
  backoff: 'reconnecting…',
  offline: 'offline',
  'auth-failed': 'login rejected',
  'tls-error': 'certificate problem',
  error: 'error',
  stopped: 'stopped',
};

// Mailboxes the connection budget left to STATUS polling are news a minute late: say how many.
function pushedAndPolled(statuses: StatusView[]): string {
  const polled = statuses.filter((s) => s.via === 'poll').length;
  if (polled === 0) return '';
  const pushed = statuses.length - polled;
  return pushed === 0 ? ' · all polled' : ` · ${pushed} pushed, ${polled} polled`;
}

function totalUnread(statuses: StatusView[]): number {
  return statuses.reduce((sum, s) => sum + (s.unread ?? 0), 0);
}

function formatTime(until: Date | null, now: Date): string {
  if (!until) return '';
  const time = until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return until.getDate() === now.getDate() ? time : `tomorrow ${time}`;
}
