/**
 * New mail as native notifications through Electron's `Notification`: sender as title,
 * subject as body, a storm as one summary replaced in place (closed and shown anew: Electron
 * has no replace-id), a catch-up after a pause or quiet hours; without sender or subject
 * when the user chose privacy. Clicking opens the message (an `openUrl` with `{messageId}`),
 * the account's webmail, or the system mail client. Each notification is referenced until
 * it closes: Electron drops the events of a collected one.
 */
import { Notification, shell } from 'electron';
import { isHttpsUrl } from '../../common/https-url.js';
import { escapeNotificationMarkup } from '../engine/popups/index.js';
import type { AccountSettings, Settings } from '../../common/settings-schema.js';
import {
  clickUrl,
  createPopupPolicy,
  describePopup,
  type ActionOutcome,
  type Announcement,
  type Logger,
  type MessageAction,
  type MessageKey,
  type Notifier,
  type PopupEvent,
  type PopupPolicy,
} from '../engine/index.js';
import { systemClock, type Clock } from '../engine/base/index.js';

/** What the notifier asks the app. */
export interface ElectronNotifierDeps {
  /** The engine's settings, read at each popup (they change while the app runs). */
  settings(): Settings;
  /** The tray's "Pause notifications": until when, or null. */
  pausedUntil(): Date | null;
  logger: Logger;
  clock?: Clock;
  /** Where it runs; Linux bodies are markup-escaped. */
  platform?: NodeJS.Platform;
  /**
   * Does a popup button's action on one message (the engine's `Supervisor.act`). Without it
   * popups have no buttons.
   */
  act?(messages: readonly MessageKey[], action: MessageAction): Promise<ActionOutcome[]>;
}

/** A button's label, and the words of its failure ("Couldn't delete"). */
const ACTION_TEXT: Record<MessageAction, { label: string; verb: string }> = {
  read: { label: 'Mark as read', verb: 'mark as read' },
  delete: { label: 'Delete', verb: 'delete' },
  archive: { label: 'Archive', verb: 'archive' },
};

/** The buttons of a single-message popup when the account names none (`popupActions`). */
export const DEFAULT_POPUP_ACTIONS: readonly MessageAction[] = ['read', 'delete'];

/**
 * How many notifications stay referenced. Electron's `close` is not guaranteed (electron.d.ts:
 * "not guaranteed to be emitted in all cases"), so without a bound the map would only grow;
 * past it the oldest reference is dropped — its click may then be lost, never the newest's.
 */
export const MAX_REFERENCED_NOTIFICATIONS = 50;

/** Shows new mail as native notifications, grouped and held by the popup policy. */
export class ElectronNotifier implements Notifier {
  // Popup id → its notification, referenced until it closes. Insertion order is age.
  private readonly shown = new Map<number, Notification>();
  private readonly policy: PopupPolicy;

  constructor(private readonly deps: ElectronNotifierDeps) {
    const source = {
      notifications: () => deps.settings().notifications,
      account: (id: string) => this.account(id),
      pausedUntil: () => deps.pausedUntil(),
    };
    this.policy = createPopupPolicy(
      source,
      deps.clock ?? systemClock,
      (event) => this.show(event),
      (id) => this.shown.get(id)?.close(),
    );
  }

  /**
   * A message announced since the start was read or went elsewhere (issue 24): its
   * notification is closed, a summary that counts it shown one less, closed at zero.
   */
  withdraw(message: MessageKey): void {
    this.policy.withdraw(message);
  }

  /** Notifications on screen (kept referenced until they close). */
  get open(): number {
    return this.shown.size;
  }

  notify(announcement: Announcement): void {
    this.policy.announce(announcement.message);
  }

  /** The pause changed: a pause that ended shows its catch-up now. */
  pauseChanged(): void {
    this.policy.recheck();
  }

  /** Stops the policy's timers. */
  close(): void {
    this.policy.close();
  }

  private account(id: string): AccountSettings | undefined {
    return this.deps.settings().accounts.find((a) => a.id === id);
  }

  private show(event: PopupEvent): void {
    for (const id of event.replaces) this.shown.get(id)?.close();
    if (!Notification.isSupported()) return;
    const { sound, showSubject, preview } = this.deps.settings().notifications;
    const name = (id: string) => this.account(id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject, preview);
    // Electron hands the body to libnotify as it is (libnotify_notification.cc), and the
    // notification server reads it as markup: on Linux it is escaped here.
    const linux = (this.deps.platform ?? process.platform) === 'linux';
    const buttons = linux ? [] : this.buttonsOf(event.popup);
    const notification = new Notification({
      title,
      body: linux ? escapeNotificationMarkup(body) : body,
      silent: !(sound && event.sound),
      ...(buttons.length > 0
        ? { actions: buttons.map(({ text }) => ({ type: 'button' as const, text })) }
        : {}),
    });
    // Electron 41 passes the index in the event's details; older ones as the second argument.
    notification.on('action', (details, index) => {
      const button = buttons[details?.actionIndex ?? index];
      if (button) void this.runButton(button);
    });
    this.shown.set(event.id, notification);
    if (this.shown.size > MAX_REFERENCED_NOTIFICATIONS) {
      const [oldest] = this.shown.keys();
      if (oldest !== undefined) this.shown.delete(oldest);
    }
    const forget = () => this.shown.delete(event.id);
    const account = event.popup.kind === 'catch-up' ? undefined : this.account(accountOf(event));
    notification.on('click', () => {
      forget();
      void shell
        .openExternal(this.clickTarget(clickUrl(account?.openUrl, event.popup)))
        .catch((error: Error) =>
          this.deps.logger.warn(`cannot open the mail client: ${error.message}`),
        );
    });
    notification.on('close', forget);
    notification.on('failed', (_event, error) => {
      forget();
      this.deps.logger.warn(`notification failed: ${error}`);
    });
    notification.show();
  }

  /**
   * The buttons of a popup: a single message's, as its account lists them (macOS and Windows
   * show them; Linux popups have none in Electron); a summary's "Mark all as read".
   */
  private buttonsOf(popup: PopupEvent['popup']): Button[] {
    if (!this.deps.act) return [];
    if (popup.kind === 'message') {
      const account = this.account(popup.message.account);
      const actions = account?.popupActions ?? DEFAULT_POPUP_ACTIONS;
      return actions.map((action) => ({
        text: ACTION_TEXT[action].label,
        action,
        messages: [popup.message],
      }));
    }
    if (popup.kind === 'summary' && popup.messages.length > 0) {
      return [{ text: 'Mark all as read', action: 'read', messages: popup.messages }];
    }
    return [];
  }

  /**
   * Does a button's action on each of its messages; a refusal or failure is shown as a
   * popup of its own ("Couldn't delete: …") and logged, never dropped.
   */
  private async runButton(button: Button): Promise<void> {
    const act = this.deps.act;
    if (!act) return;
    // A summary's messages are of one account and one mailbox: one call, one connection.
    const outcomes = await act(button.messages, button.action).catch((error: unknown) =>
      button.messages.map((): ActionOutcome => ({ done: false, reason: String(error) })),
    );
    for (const [i, message] of button.messages.entries()) {
      const outcome = outcomes[i] ?? { done: false, reason: 'nothing was done' };
      if (outcome.done) {
        this.policy.withdraw(message);
        continue;
      }
      const verb = ACTION_TEXT[button.action].verb;
      this.deps.logger.warn(
        `couldn't ${verb} ${message.mailbox} UID ${message.uid}: ${outcome.reason}`,
      );
      if (Notification.isSupported()) {
        new Notification({ title: `Couldn't ${verb}`, body: outcome.reason, silent: true }).show();
      }
    }
  }

  // Checked again here, not only by the settings schema: shell.openExternal hands any scheme
  // (file:, smb:, a custom protocol handler) to the OS, so only https ever reaches it.
  private clickTarget(url: string | undefined): string {
    if (url === undefined) return 'mailto:';
    if (isHttpsUrl(url)) return url;
    this.deps.logger.warn(
      "the account's web address is not an https address: opening the mail client",
    );
    return 'mailto:';
  }
}

/** A popup button: its label, and what it does to which messages. */
interface Button {
  text: string;
  action: MessageAction;
  messages: MessageKey[];
}

function accountOf(event: PopupEvent): string {
  const { popup } = event;
  return popup.kind === 'message'
    ? popup.message.account
    : popup.kind === 'summary'
      ? popup.account
      : '';
}
