/**
 * The popups of the popup policy as freedesktop notifications on Linux, for both notifiers
 * (the desktop app's and `tidings watch`'s): one Notify at a time in the policy's order, a
 * summary in the place of the popup it replaces (replaces_id) with the others it replaces
 * closed, withdrawn popups closed with CloseNotification, the body markup-escaped only where
 * the server reads markup, and buttons only where the server announces `actions`.
 */
import {
  escapeNotificationMarkup,
  type Logger,
  type PopupButton,
  type PopupEvent,
} from '../engine/index.js';
import type {
  DesktopNotification,
  HintValue,
  NotificationsClient,
} from './notifications-client.js';

/** What one popup shows and offers. */
export interface FreedesktopPopup {
  title: string;
  /** Plain text: escaped here where the server reads markup. */
  body: string;
  sound: boolean;
  /** Its buttons (shown where the server has `actions`); `onButton` runs the one clicked. */
  buttons: readonly PopupButton[];
  onButton?(button: PopupButton): void;
  /** The popup's click (the spec's "default" action), where there is one. */
  onClick?(): void;
  /** What the click does, for servers that list it (mako's and dunst's menus); "Open". */
  clickLabel?: string;
}

// Kept from the notify-send days, so popups last as long as they did (node-notifier's).
const EXPIRE_TIME_MS = 10_000;
// The icon naming spec's status icon for unread mail; the notification spec's category:
// without them a server shows a generic icon and cannot group or filter our popups as mail.
const ICON = 'mail-unread';
const CATEGORY: HintValue = ['s', 'email.arrived'];
// libnotify's default urgency (normal), which notify-send always sent.
const URGENCY: HintValue = ['y', 1];
// The sound naming spec's name for this event, and the notification spec's silence hint.
const SOUND: HintValue = ['s', 'message-new-email'];
const SILENCE: HintValue = ['b', true];
// Only the newest few policy ids can still be replaced or withdrawn; older ones are forgotten.
const MAX_REMEMBERED = 50;

/** Shows policy popups through a NotificationsClient; see the file's comment. */
export class FreedesktopPopups {
  // Policy popup ids → the server's ids, settled once their Notify has answered.
  private readonly serverIds = new Map<number, Promise<number | undefined>>();
  // The server's ids of the popups shown → their policy ids, to forget the ones it closed.
  private readonly policyIds = new Map<number, number>();
  // The Notify and CloseNotification calls, one after another; never rejects.
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly client: NotificationsClient,
    private readonly logger: Logger,
  ) {
    // A popup the server closed (expired, dismissed) is not replaced or closed by its id later:
    // a server that reuses ids would have given it to another popup, maybe another app's.
    client.onClosed((serverId) => {
      const id = this.policyIds.get(serverId);
      this.policyIds.delete(serverId);
      if (id !== undefined) this.serverIds.delete(id);
    });
  }

  /** Ends the popups: nothing more is shown or closed, and the bus connection is closed. */
  close(): void {
    this.closed = true;
    this.client.disconnect();
  }

  /** Shows policy popup `event.id`, in the place of the popups it replaces. */
  show(event: Pick<PopupEvent, 'id' | 'replaces'>, popup: FreedesktopPopup): void {
    let settle: (serverId: number | undefined) => void = () => {};
    const serverId = new Promise<number | undefined>((resolve) => (settle = resolve));
    const replaced = event.replaces.map((id) => this.serverIds.get(id));
    for (const id of event.replaces) this.serverIds.delete(id);
    this.remember(event.id, serverId);
    // In the queue, the popups a summary replaces ran before it, so their ids are known when
    // it runs: it takes the last one's place, and the others are closed once it shows.
    this.enqueue(async () => {
      let shown: number | undefined;
      try {
        const ids = (await Promise.all(replaced)).filter((id): id is number => id !== undefined);
        shown = await this.notify(popup, ids.at(-1));
        for (const id of ids.slice(0, -1)) await this.client.close(id);
      } finally {
        // Always settled: a later summary in the queue waits for this id.
        settle(shown);
        if (shown !== undefined) this.rememberShown(shown, event.id);
      }
    });
  }

  /** Shows a notice of our own (an action's failure): silent, no buttons, never replaced. */
  showNotice(title: string, body: string): void {
    this.enqueue(async () => {
      await this.notify({ title, body, sound: false, buttons: [] }, undefined);
    });
  }

  /** Closes policy popup `id` once it has shown. */
  withdraw(id: number): void {
    const serverId = this.serverIds.get(id);
    if (!serverId) return;
    this.serverIds.delete(id);
    this.enqueue(async () => {
      const shown = await serverId;
      if (shown !== undefined) await this.client.close(shown);
    });
  }

  private async notify(
    popup: FreedesktopPopup,
    replacesId: number | undefined,
  ): Promise<number | undefined> {
    const capabilities = await this.client.capabilities();
    // The spec: markup sent to a server without `body-markup` shows through, so the client
    // leaves it out there. While the server cannot be asked, markup is assumed (GNOME, KDE,
    // dunst and xfce4-notifyd read it): the escaped text is then shown as sent.
    const markup = capabilities?.includes('body-markup') ?? true;
    const actions = capabilities?.includes('actions') ? actionsOf(popup) : [];
    const notification: DesktopNotification = {
      ...(replacesId === undefined ? {} : { replacesId }),
      icon: ICON,
      summary: popup.title,
      body: markup ? escapeNotificationMarkup(popup.body) : popup.body,
      actions,
      hints: {
        category: CATEGORY,
        urgency: URGENCY,
        ...(popup.sound ? { 'sound-name': SOUND } : { 'suppress-sound': SILENCE }),
      },
      expireTimeoutMs: EXPIRE_TIME_MS,
    };
    return this.client.notify(notification, (key) => {
      if (key === 'default') {
        popup.onClick?.();
        return;
      }
      const button = popup.buttons.find((b) => b.key === key);
      if (button) popup.onButton?.(button);
    });
  }

  private enqueue(run: () => Promise<void>): void {
    // After close: dropped, so no work reopens the bus (a click's refusal is logged anyway).
    if (this.closed) return;
    this.queue = this.queue
      .then(() => (this.closed ? undefined : run()))
      .catch((error: unknown) => this.logger.warn(`desktop notification failed: ${String(error)}`));
  }

  private rememberShown(serverId: number, id: number): void {
    this.policyIds.delete(serverId);
    this.policyIds.set(serverId, id);
    for (const old of this.policyIds.keys()) {
      if (this.policyIds.size <= MAX_REMEMBERED) break;
      this.policyIds.delete(old);
    }
  }

  private remember(id: number, serverId: Promise<number | undefined>): void {
    this.serverIds.set(id, serverId);
    for (const old of this.serverIds.keys()) {
      if (this.serverIds.size <= MAX_REMEMBERED) break;
      this.serverIds.delete(old);
    }
  }
}

// The spec's actions array: the click first (the "default" key), then the buttons.
function actionsOf(popup: FreedesktopPopup): Array<{ key: string; label: string }> {
  const click = popup.onClick ? [{ key: 'default', label: popup.clickLabel ?? 'Open' }] : [];
  const buttons = popup.onButton
    ? popup.buttons.map(({ key, text }) => ({ key, label: text }))
    : [];
  return [...click, ...buttons];
}
