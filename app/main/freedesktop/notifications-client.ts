/**
 * A client of org.freedesktop.Notifications (Desktop Notifications spec 1.2) on the session
 * bus: Notify with actions and hints, CloseNotification, GetCapabilities, and the
 * ActionInvoked / NotificationClosed signals. A popup's action callback runs only for an
 * ActionInvoked that names a notification this client created, one of the keys it offered,
 * and comes from the very peer that answered its Notify — any app on the bus may emit the
 * signal, and every app's popups share the interface. What it remembers of a popup is
 * forgotten when the server says it closed, and at most `maxTracked` are remembered.
 * A missing or broken bus is logged once (a warning), never thrown: popups are then missing,
 * as they were with notify-send and no bus.
 */
import type { Logger } from '../engine/index.js';
import { SessionBus, sessionBusAddress, type BusMessage } from './session-bus.js';

/** A hint's D-Bus variant: its signature and value. */
export type HintValue = ['s', string] | ['b', boolean] | ['y', number] | ['i', number];

/** One notification to show. */
export interface DesktopNotification {
  /** A notification of ours to replace in place (the spec's replaces_id); 0 or none: new. */
  replacesId?: number;
  /** app_icon: an icon name of the freedesktop icon naming spec, or a file URI. */
  icon: string;
  summary: string;
  /** As the server is to read it: escaped already where it reads markup. */
  body: string;
  /** Buttons, in order; the key "default" is the popup's click, not a button. */
  actions: ReadonlyArray<{ key: string; label: string }>;
  hints: Readonly<Record<string, HintValue>>;
  expireTimeoutMs: number;
}

/** What the client needs. */
export interface NotificationsClientOptions {
  logger: Logger;
  /** Notify's app_name. */
  appName: string;
  /** Where the session bus is, asked at each (re)connect; defaults to `sessionBusAddress()`. */
  address?: () => string | undefined;
  /** How many popups' actions are remembered at most (oldest forgotten first). */
  maxTracked?: number;
  timeoutMs?: number;
}

const SERVICE = 'org.freedesktop.Notifications';
const SERVICE_PATH = '/org/freedesktop/Notifications';
const MATCH_RULES = ['ActionInvoked', 'NotificationClosed'].map(
  (member) => `type='signal',interface='${SERVICE}',path='${SERVICE_PATH}',member='${member}'`,
);

/** How many popups' actions are remembered by default: far more than fit on a screen. */
export const MAX_TRACKED_POPUPS = 50;

interface Tracked {
  /** The unique bus name of the server that answered Notify. */
  server: string;
  keys: ReadonlySet<string>;
  onAction: (key: string) => void;
}

/** The session bus's notification service, as one app's client; see the file's comment. */
export class NotificationsClient {
  private readonly bus: SessionBus;
  private readonly tracked = new Map<number, Tracked>();
  private readonly closedListeners = new Set<(id: number) => void>();
  private capabilitiesAnswer: readonly string[] | undefined;
  private warned = false;

  constructor(private readonly options: NotificationsClientOptions) {
    this.bus = new SessionBus({
      address: options.address ?? (() => sessionBusAddress()),
      matchRules: MATCH_RULES,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    this.bus.onSignal((message) => this.onSignal(message));
    // The server may be another by the next connection (dunst for mako, a restarted shell).
    this.bus.onEnd(() => (this.capabilitiesAnswer = undefined));
  }

  /** The server's capabilities, asked once it answers; undefined while it cannot be asked. */
  async capabilities(): Promise<readonly string[] | undefined> {
    if (this.capabilitiesAnswer) return this.capabilitiesAnswer;
    const result = await this.bus.call(this.method('GetCapabilities'));
    if (!result.ok) {
      this.warnOnce(result.reason);
      return undefined;
    }
    const [list] = result.reply.body;
    this.capabilitiesAnswer = Array.isArray(list) ? list.map(String) : [];
    return this.capabilitiesAnswer;
  }

  /**
   * Shows a notification; resolves with the server's id, or undefined (the failure logged
   * once). `onAction` runs with the key of an action the user invoked (see the file's
   * comment for which invocations count).
   */
  async notify(
    notification: DesktopNotification,
    onAction?: (key: string) => void,
  ): Promise<number | undefined> {
    const { replacesId = 0, icon, summary, body, actions, hints } = notification;
    const call = this.method('Notify', 'susssasa{sv}i', [
      this.options.appName,
      replacesId,
      icon,
      summary,
      body,
      actions.flatMap(({ key, label }) => [key, label]),
      Object.entries(hints),
      notification.expireTimeoutMs,
    ]);
    // Tracked as the reply is read: a click could come in the very next message.
    const result = await this.bus.call(call, (reply) => {
      const id = Number(reply.body[0]);
      this.tracked.delete(id);
      // Every popup of ours is tracked, so its NotificationClosed is heard (and a closed one is
      // never replaced or closed again by id); only those with actions and `onAction` act.
      const keys = new Set(onAction ? actions.map(({ key }) => key) : []);
      this.tracked.set(id, { server: reply.sender, keys, onAction: onAction ?? (() => {}) });
      for (const oldest of this.tracked.keys()) {
        if (this.tracked.size <= (this.options.maxTracked ?? MAX_TRACKED_POPUPS)) break;
        this.tracked.delete(oldest);
      }
    });
    if (!result.ok) {
      this.warnOnce(result.reason);
      return undefined;
    }
    return Number(result.reply.body[0]);
  }

  /** Closes a notification; a failure is logged at debug level (it expires by itself). */
  async close(id: number): Promise<void> {
    this.tracked.delete(id);
    const result = await this.bus.call(this.method('CloseNotification', 'u', [id]));
    if (!result.ok) this.options.logger.debug(`CloseNotification ${id} failed: ${result.reason}`);
  }

  /** Runs `listener` with the id of each notification of ours the server says has closed. */
  onClosed(listener: (id: number) => void): void {
    this.closedListeners.add(listener);
  }

  /** How many popups' actions are remembered now. */
  get trackedCount(): number {
    return this.tracked.size;
  }

  /** Ends the connection (the app is quitting); a later call would open a new one. */
  disconnect(): void {
    this.bus.disconnect();
  }

  private onSignal(message: BusMessage): void {
    if (message.interface !== SERVICE || message.path !== SERVICE_PATH) return;
    const [rawId, second] = message.body ?? [];
    const id = Number(rawId);
    const popup = this.tracked.get(id);
    // Not ours, or not from the server that showed it: another app's, or a forgery.
    if (!popup || message.sender !== popup.server) return;
    if (message.member === 'NotificationClosed') {
      this.tracked.delete(id);
      for (const listener of this.closedListeners) listener(id);
    } else if (message.member === 'ActionInvoked') {
      const key = String(second);
      if (popup.keys.has(key)) popup.onAction(key);
      else this.options.logger.debug(`ignored action "${key.slice(0, 40)}" on popup ${id}`);
    }
  }

  private method(member: string, signature?: string, body?: unknown[]) {
    return {
      destination: SERVICE,
      path: SERVICE_PATH,
      interface: SERVICE,
      member,
      ...(signature ? { signature, body: body ?? [] } : {}),
    };
  }

  private warnOnce(reason: string): void {
    if (!this.warned) this.options.logger.warn(`desktop notification failed: ${reason}`);
    this.warned = true;
  }
}
