/**
 * Desktop notifications for `tidings watch`, through node-notifier: notify-send on Linux,
 * terminal-notifier on macOS, SnoreToast on Windows. On Linux node-notifier runs notify-send
 * through a shell with each argument double-quoted and `"$\`\\` escaped; our text is
 * already stripped of control characters, so a hostile subject stays one quoted argument.
 * Without a notification daemon (no D-Bus session) the callback gets an error: it is logged
 * once, never thrown.
 */
import nodeNotifier from 'node-notifier';
import {
  describeAnnouncement,
  type Announcement,
  type Logger,
  type Notifier,
} from '../engine/index.js';

/** Shows each announcement as a desktop popup. */
export class DesktopNotifier implements Notifier {
  private failed = false;

  constructor(
    private readonly accountNames: ReadonlyMap<string, string>,
    private readonly logger: Logger,
  ) {}

  notify(announcement: Announcement): void {
    const account =
      announcement.kind === 'message' ? announcement.message.account : announcement.account;
    const { title, body } = describeAnnouncement(
      announcement,
      this.accountNames.get(account) ?? account,
    );
    nodeNotifier.notify(
      { title, message: body, appID: 'Tidings', wait: false },
      (error: Error | null) => {
        if (!error) return;
        if (!this.failed) this.logger.warn(`desktop notification failed: ${error.message.trim()}`);
        this.failed = true;
      },
    );
  }
}
