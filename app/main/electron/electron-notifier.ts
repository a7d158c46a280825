/**
 * Announcements as native notifications through Electron's `Notification`: sender as title,
 * subject as body (or the burst summary, or neither when the user chose privacy). Clicking
 * opens the account's `openUrl` (webmail) or the system mail client. Each notification is
 * referenced until it closes: Electron drops the events of a collected one.
 */
import { Notification, shell } from 'electron';
import { isHttpsUrl } from '../../common/https-url.js';
import { escapeNotificationMarkup } from '../engine/notification-markup.js';
import type { NotificationSettings } from '../../common/settings-schema.js';
import {
  describeAnnouncement,
  type Announcement,
  type Logger,
  type Notifier,
} from '../engine/index.js';

/** What the notifier asks the app. */
export interface ElectronNotifierDeps {
  account(id: string): { name: string; openUrl?: string | undefined } | undefined;
  preferences(): NotificationSettings;
  isPaused(): boolean;
  logger: Logger;
  /** Where it runs; Linux bodies are markup-escaped. */
  platform?: NodeJS.Platform;
}

/**
 * How many notifications stay referenced. Electron's `close` is not guaranteed (electron.d.ts:
 * "not guaranteed to be emitted in all cases"), so without a bound the set would only grow;
 * past it the oldest reference is dropped — its click may then be lost, never the newest's.
 */
export const MAX_REFERENCED_NOTIFICATIONS = 50;

/** Shows announcements as native notifications unless paused. */
export class ElectronNotifier implements Notifier {
  private readonly shown = new Set<Notification>();

  constructor(private readonly deps: ElectronNotifierDeps) {}

  /** Notifications on screen (kept referenced until they close). */
  get open(): number {
    return this.shown.size;
  }

  notify(announcement: Announcement): void {
    if (this.deps.isPaused() || !Notification.isSupported()) return;
    const accountId =
      announcement.kind === 'message' ? announcement.message.account : announcement.account;
    const account = this.deps.account(accountId);
    const { sound, showSubject } = this.deps.preferences();
    const { title, body } = describeAnnouncement(
      announcement,
      account?.name ?? accountId,
      showSubject,
    );
    // Electron hands the body to libnotify as it is (libnotify_notification.cc), and the
    // notification server reads it as markup: on Linux it is escaped here.
    const linux = (this.deps.platform ?? process.platform) === 'linux';
    const notification = new Notification({
      title,
      body: linux ? escapeNotificationMarkup(body) : body,
      silent: !sound,
    });
    this.shown.add(notification);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.shown.size > MAX_REFERENCED_NOTIFICATIONS) {
      const oldest = this.shown.values().next().value;
      if (oldest) this.shown.delete(oldest);
    }
    const forget = () => this.shown.delete(notification);
    notification.on('click', () => {
      forget();
      void shell
        .openExternal(this.clickTarget(account?.openUrl))
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
  private clickTarget(openUrl: string | undefined): string {
    if (openUrl === undefined) return 'mailto:';
    if (isHttpsUrl(openUrl)) return openUrl;
    this.deps.logger.warn(
      "the account's web address is not an https address: opening the mail client",
    );
    return 'mailto:';
  }
}
