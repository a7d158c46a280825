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
  type Announcement,
  type Logger,
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
}

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
    const { sound, showSubject } = this.deps.settings().notifications;
    const name = (id: string) => this.account(id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject);
    // Electron hands the body to libnotify as it is (libnotify_notification.cc), and the
    // notification server reads it as markup: on Linux it is escaped here.
    const linux = (this.deps.platform ?? process.platform) === 'linux';
    const notification = new Notification({
      title,
      body: linux ? escapeNotificationMarkup(body) : body,
      silent: !(sound && event.sound),
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

function accountOf(event: PopupEvent): string {
  const { popup } = event;
  return popup.kind === 'message'
    ? popup.message.account
    : popup.kind === 'summary'
      ? popup.account
      : '';
}
