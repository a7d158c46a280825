/**
 * Desktop notifications for `tidings watch`. On Linux (and the BSDs) popups go straight to
 * the session bus's org.freedesktop.Notifications (app/main/freedesktop, the desktop app's
 * path too): no process per popup, no shell, no notify-send option parsing or C escapes,
 * and what notify-send could not do — ask whether the server reads markup, replace and close
 * popups, buttons that act on the message — in one connection. On macOS (terminal-notifier)
 * and Windows (SnoreToast) node-notifier stays, without buttons. Without a session bus or a
 * notification server the failure is logged once, never thrown.
 * test/cli/output/desktop-popups.test.ts shows it all to a real notification server.
 */
import type { AccountSettings, Settings } from '../../../common/settings-schema.js';
import {
  ACTION_TEXT,
  buttonsOf,
  clickAction,
  createPopupPolicy,
  markAsRead,
  describePopup,
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
} from '../../engine/index.js';
import { systemClock, type Clock } from '../../engine/base/index.js';
import { FreedesktopPopups, NotificationsClient } from '../../freedesktop/index.js';

/** What node-notifier is asked to show on macOS and Windows. */
export interface NodeNotification {
  title: string;
  message: string;
  appID: string;
  wait: false;
  sound: boolean;
  /** terminal-notifier's group: a notification replaces the last one of its group (macOS). */
  group?: string;
}

/** node-notifier's `notify`, or a stand-in for tests. */
export type NodeNotify = (
  notification: NodeNotification,
  done: (error: Error | null) => void,
) => void;

/**
 * node-notifier's `notify`, loaded at the first popup that needs it (macOS, Windows): Linux
 * never does, and a `tidings watch` start need not wait for it. One import for all, so popups
 * keep their order; a failure (the import, a throw in notify) reaches `done`, never the loop.
 */
const loadNodeNotifier = () => import('node-notifier');
let nodeNotifierModule: ReturnType<typeof loadNodeNotifier> | undefined;
const notifyWithNodeNotifier: NodeNotify = (notification, done) => {
  nodeNotifierModule ??= loadNodeNotifier();
  nodeNotifierModule
    .then(({ default: nodeNotifier }) => nodeNotifier.notify(notification, done))
    .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
};

/** How a DesktopNotifier shows popups. */
export interface DesktopNotifierOptions {
  /** The settings, read at each popup: preferences, rules, quiet hours, account names. */
  settings: () => Settings;
  clock?: Clock;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** Defaults to node-notifier's `notify`. */
  nodeNotify?: NodeNotify;
  /** Linux: the session bus's notification service; defaults to one on the session bus. */
  notifications?: NotificationsClient;
  /**
   * Does a popup button's action (the engine's `Supervisor.actOnEach`). Without it popups
   * have no buttons; with it, Linux popups get them where the server announces `actions`.
   */
  act?: PopupAct;
  /**
   * Which of an account's buttons can be offered now (the supervisor's `offeredActions`: no
   * Delete without a Trash); without it popups have no buttons.
   */
  offeredActions?: OfferedActions;
}

/**
 * Shows new mail as desktop popups, grouped by the popup policy: a storm's summary replaces
 * the popup before it where the platform can (replaces_id on Linux, closing the earlier ones
 * too; a terminal-notifier group on macOS); elsewhere it is shown anew.
 */
export class DesktopNotifier implements Notifier {
  private failed = false;
  private readonly platform: NodeJS.Platform;
  private readonly policy: PopupPolicy;
  // Linux's popups, made at the first one (macOS and Windows never open the bus).
  private linuxPopups: FreedesktopPopups | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly options: DesktopNotifierOptions,
  ) {
    this.platform = options.platform ?? process.platform;
    const source = {
      notifications: () => options.settings().notifications,
      account: (id: string) => this.account(id),
    };
    this.policy = createPopupPolicy(
      source,
      options.clock ?? systemClock,
      (event) => this.show(event),
      (id) => this.withdrawPopup(id),
    );
  }

  /**
   * A message announced since the start was read or went elsewhere: its popup is closed, a
   * summary that counts it shown one less (issue 24). On Linux through CloseNotification; the
   * popups node-notifier shows on macOS and Windows cannot be closed and expire by themselves.
   */
  withdraw(message: MessageKey): void {
    this.policy.withdraw(message);
  }

  notify(announcement: Announcement): void {
    this.policy.announce(announcement.message);
  }

  /** Stops the policy's timers (a pending summary update, a quiet-hours check), and the bus. */
  close(): void {
    this.policy.close();
    this.linuxPopups?.close();
  }

  private account(id: string): AccountSettings | undefined {
    return this.options.settings().accounts.find((a) => a.id === id);
  }

  private show(event: PopupEvent): void {
    const { showSubject, sound, preview } = this.options.settings().notifications;
    const name = (id: string) => this.account(id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject, preview);
    const audible = sound && event.sound;
    if (this.platform === 'darwin' || this.platform === 'win32') {
      this.showWithNodeNotifier(title, body, audible, groupOf(event));
      return;
    }
    const popups = this.freedesktop();
    const act = this.options.act;
    const offered = this.options.offeredActions;
    const { popup } = event;
    const id = popupAccount(popup);
    const account = id === undefined ? undefined : this.account(id);
    const run = (button: PopupButton) => {
      if (!act) return;
      void runButton(button, {
        act,
        withdraw: (message) => this.policy.withdraw(message),
        showFailure: (failure, reason) => popups.showNotice(failure, reason),
        logger: this.logger,
      });
    };
    // A terminal has no mail client to open (the desktop app's popups do): a click only
    // closes the popup, unless the account's `popupClick` marks the message as read.
    const readOnClick = act && popup.kind === 'message' && clickAction(popup, account) === 'read';
    popups.show(event, {
      title,
      body,
      sound: audible,
      buttons: act && offered ? buttonsOf(popup, account, offered) : [],
      ...(act ? { onButton: run } : {}),
      ...(readOnClick
        ? {
            onClick: () => run(markAsRead(popup.message)),
            clickLabel: ACTION_TEXT.read.label,
          }
        : {}),
    });
  }

  private freedesktop(): FreedesktopPopups {
    if (!this.linuxPopups) {
      const client =
        this.options.notifications ??
        new NotificationsClient({ logger: this.logger, appName: 'Tidings' });
      this.linuxPopups = new FreedesktopPopups(client, this.logger);
    }
    return this.linuxPopups;
  }

  private showWithNodeNotifier(
    title: string,
    message: string,
    sound: boolean,
    group: string | undefined,
  ): void {
    const notify: NodeNotify = this.options.nodeNotify ?? notifyWithNodeNotifier;
    const notification: NodeNotification = { title, message, appID: 'Tidings', wait: false, sound };
    if (group) notification.group = group;
    notify(notification, (error) => {
      if (error) this.warnOnce(error.message.trim());
    });
  }

  /** Closes popup `id` once it has shown (Linux). */
  private withdrawPopup(id: number): void {
    this.linuxPopups?.withdraw(id);
  }

  private warnOnce(reason: string): void {
    if (!this.failed) this.logger.warn(`desktop notification failed: ${reason}`);
    this.failed = true;
  }
}

// A storm's summary and its updates share a terminal-notifier group, so each replaces the last.
function groupOf(event: PopupEvent): string | undefined {
  const { popup } = event;
  return popup.kind === 'summary' ? `tidings:${popup.account}/${popup.mailbox}` : undefined;
}
