/**
 * New mail as native notifications through Electron's `Notification`: sender as title,
 * subject as body, a storm as one summary replaced in place (closed and shown anew: Electron
 * has no replace-id), a catch-up after a pause or quiet hours; without sender or subject
 * when the user chose privacy. Clicking opens the message (an `openUrl` with `{messageId}`),
 * the account's webmail, or the system mail client — or, as the account's `popupClick` says,
 * marks a single message as read, or only closes the popup. Each notification is referenced until
 * it closes: Electron drops the events of a collected one. Buttons (issue 24) are Electron's
 * actions on macOS and Windows; on Linux, where Electron's popups have none, every popup goes
 * over D-Bus instead (app/main/freedesktop, `tidings watch`'s path too): buttons where the
 * server announces `actions`, the click as its "default" action, real replacement and close.
 */
import { Notification, shell } from 'electron';
import { isHttpsUrl } from '../../common/https-url.js';
import type { AccountSettings, Settings } from '../../common/settings-schema.js';
import {
  buttonsOf,
  clickAction,
  clickUrl,
  createPopupPolicy,
  describePopup,
  markAsRead,
  popupAccount,
  runButton,
  type Announcement,
  type Logger,
  type MessageKey,
  type Notifier,
  type OfferedActions,
  type PopupAct,
  type PopupButton,
  type PopupEvent,
  type PopupPolicy,
} from '../engine/index.js';
import { systemClock, type Clock } from '../engine/base/index.js';
import { FreedesktopPopups, NotificationsClient } from '../freedesktop/index.js';

/** What the notifier asks the app. */
export interface ElectronNotifierDeps {
  /** The engine's settings, read at each popup (they change while the app runs). */
  settings(): Settings;
  /** The tray's "Pause notifications": until when, or null. */
  pausedUntil(): Date | null;
  logger: Logger;
  clock?: Clock;
  /** Where it runs; Linux popups go over D-Bus. */
  platform?: NodeJS.Platform;
  /**
   * Does a popup button's action (the engine's `Supervisor.actOnEach`). Without it popups
   * have no buttons.
   */
  act?: PopupAct;
  /**
   * Which of an account's buttons can be offered now (the supervisor's `offeredActions`: no
   * Delete without a Trash); without it popups have no buttons.
   */
  offeredActions?: OfferedActions;
  /** A popup was clicked: the user has looked (the tray's count of new mail starts again). */
  onClick?(): void;
  /** Linux: the session bus's notification service; defaults to one on the session bus. */
  freedesktop?: NotificationsClient;
}

/** What a popup's click does, as D-Bus servers that list it (mako's and dunst's menus) say it. */
const CLICK_LABEL = { open: 'Open', read: 'Mark as read', none: 'Dismiss' } as const;

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
  private readonly linux: boolean;
  // Linux's popups, made at the first one.
  private linuxPopups: FreedesktopPopups | undefined;

  constructor(private readonly deps: ElectronNotifierDeps) {
    this.linux = (deps.platform ?? process.platform) === 'linux';
    const source = {
      notifications: () => deps.settings().notifications,
      account: (id: string) => this.account(id),
      pausedUntil: () => deps.pausedUntil(),
    };
    this.policy = createPopupPolicy(
      source,
      deps.clock ?? systemClock,
      (event) => this.show(event),
      (id) => (this.linux ? this.linuxPopups?.withdraw(id) : this.shown.get(id)?.close()),
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

  /** Stops the policy's timers, and the D-Bus connection on Linux. */
  close(): void {
    this.policy.close();
    this.linuxPopups?.close();
  }

  /** The settings of the account `popup` is about (none for a catch-up). */
  private popupAccountSettings(popup: PopupEvent['popup']): AccountSettings | undefined {
    const id = popupAccount(popup);
    return id === undefined ? undefined : this.account(id);
  }

  private account(id: string): AccountSettings | undefined {
    return this.deps.settings().accounts.find((a) => a.id === id);
  }

  private show(event: PopupEvent): void {
    if (this.linux) {
      this.showOnLinux(event);
      return;
    }
    for (const id of event.replaces) this.shown.get(id)?.close();
    if (!Notification.isSupported()) return;
    const { sound, showSubject, preview } = this.deps.settings().notifications;
    const name = (id: string) => this.account(id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject, preview);
    const buttons = this.buttonsOf(event.popup);
    const notification = new Notification({
      title,
      body,
      silent: !(sound && event.sound),
      ...(buttons.length > 0
        ? { actions: buttons.map(({ text }) => ({ type: 'button' as const, text })) }
        : {}),
    });
    // Electron 41 passes the index in the event's details; older ones as the second argument.
    notification.on('action', (details, index) => {
      const button = buttons[details?.actionIndex ?? index];
      if (button) this.runButton(button);
    });
    this.shown.set(event.id, notification);
    if (this.shown.size > MAX_REFERENCED_NOTIFICATIONS) {
      const [oldest] = this.shown.keys();
      if (oldest !== undefined) this.shown.delete(oldest);
    }
    const forget = () => this.shown.delete(event.id);
    notification.on('click', () => {
      forget();
      this.clicked(event);
    });
    notification.on('close', forget);
    notification.on('failed', (_event, error) => {
      forget();
      this.deps.logger.warn(`notification failed: ${error}`);
    });
    notification.show();
  }

  /** Linux: the popup over D-Bus, its click the "default" action (see the file's comment). */
  private showOnLinux(event: PopupEvent): void {
    const { sound, showSubject, preview } = this.deps.settings().notifications;
    const name = (id: string) => this.account(id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject, preview);
    this.freedesktop().show(event, {
      title,
      body,
      sound: sound && event.sound,
      buttons: this.buttonsOf(event.popup),
      onButton: (button) => this.runButton(button),
      onClick: () => this.clicked(event),
      clickLabel: CLICK_LABEL[clickAction(event.popup, this.popupAccountSettings(event.popup))],
    });
  }

  private freedesktop(): FreedesktopPopups {
    if (!this.linuxPopups) {
      const client =
        this.deps.freedesktop ??
        new NotificationsClient({ logger: this.deps.logger, appName: 'Tidings' });
      this.linuxPopups = new FreedesktopPopups(client, this.deps.logger);
    }
    return this.linuxPopups;
  }

  /**
   * A popup's click: the user has looked; then, as the account's `popupClick` says for a
   * single message, it is marked as read, or nothing more happens, or (the default, and for
   * every summary) the message, the account's webmail or the mail client opens.
   */
  private clicked(event: PopupEvent): void {
    this.deps.onClick?.();
    const account = this.popupAccountSettings(event.popup);
    const click = clickAction(event.popup, account);
    if (click === 'none') return;
    if (click === 'read') {
      if (event.popup.kind === 'message') {
        this.runButton(markAsRead(event.popup.message));
      }
      return;
    }
    void shell
      .openExternal(this.clickTarget(clickUrl(account?.openUrl, event.popup)))
      .catch((error: Error) =>
        this.deps.logger.warn(`cannot open the mail client: ${error.message}`),
      );
  }

  /** The buttons of a popup (engine/popups' buttonsOf); none without `act` and `offeredActions`. */
  private buttonsOf(popup: PopupEvent['popup']): PopupButton[] {
    const { act, offeredActions } = this.deps;
    if (!act || !offeredActions) return [];
    return buttonsOf(popup, this.popupAccountSettings(popup), offeredActions);
  }

  /** Runs a clicked button; a refusal shows as a popup of its own and is logged. */
  private runButton(button: PopupButton): void {
    const act = this.deps.act;
    if (!act) return;
    void runButton(button, {
      act,
      withdraw: (message) => this.policy.withdraw(message),
      logger: this.deps.logger,
      showFailure: (title, body) => {
        if (this.linux) this.freedesktop().showNotice(title, body);
        else if (Notification.isSupported()) new Notification({ title, body, silent: true }).show();
      },
    });
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
