/**
 * Desktop notifications for `tidings watch`. On Linux (and the BSDs) we run notify-send
 * ourselves, without a shell: node-notifier builds a shell command with no `--` before the
 * text, so a subject like `--urgency=critical` became an option, and it leaves the body's
 * markup unescaped. What notify-send cannot do (ask whether the server reads markup, close
 * a popup a summary replaced) gdbus or dbus-send does where one is installed. On macOS
 * (terminal-notifier) and Windows (SnoreToast) node-notifier stays. Without notify-send or
 * a notification daemon (no D-Bus session) the failure is logged once, never thrown.
 * test/cli/desktop-popups.test.ts shows it all to a real notification server.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { Settings } from '../../../common/settings-schema.js';
import {
  createPopupPolicy,
  describePopup,
  escapeNotificationMarkup,
  type Announcement,
  type Logger,
  type MessageKey,
  type Notifier,
  type PopupEvent,
  type PopupPolicy,
} from '../../engine/index.js';
import { systemClock, type Clock } from '../../engine/base/index.js';

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
  /** The notify-send command, looked up in PATH; defaults to `notify-send`. */
  notifySend?: string;
  /** Defaults to node-notifier's `notify`. */
  nodeNotify?: NodeNotify;
}

// The freedesktop notification service (Desktop Notifications spec), for the two calls
// notify-send cannot make: GetCapabilities and CloseNotification. Whichever of GLib's gdbus
// and D-Bus's own dbus-send is installed makes them; `arg` is a notification id.
const SERVICE = 'org.freedesktop.Notifications';
const SERVICE_PATH = '/org/freedesktop/Notifications';
type ServiceMethod = 'GetCapabilities' | 'CloseNotification';
const DBUS_CALLERS: ReadonlyArray<{
  command: string;
  args: (method: ServiceMethod, arg?: string) => string[];
}> = [
  {
    command: 'gdbus',
    args: (method, arg) => [
      'call',
      '--session',
      `--dest=${SERVICE}`,
      `--object-path=${SERVICE_PATH}`,
      `--method=${SERVICE}.${method}`,
      ...(arg === undefined ? [] : [arg]),
    ],
  },
  {
    // --print-reply: wait for the answer (and print it), so the next popup comes after.
    command: 'dbus-send',
    args: (method, arg) => [
      '--session',
      '--print-reply',
      `--dest=${SERVICE}`,
      SERVICE_PATH,
      `${SERVICE}.${method}`,
      ...(arg === undefined ? [] : [`uint32:${arg}`]),
    ],
  },
];
// gdbus prints (['actions', 'body-markup', …],), dbus-send one `string "body-markup"` a line.
const BODY_MARKUP = /(["'])body-markup\1/;

// node-notifier's default expiry, kept so popups last as long as they did.
const EXPIRE_TIME_MS = 10_000;
// notify-send waits for D-Bus; a hung session bus must not pile up processes.
const NOTIFY_SEND_TIMEOUT_MS = 30_000;
// The freedesktop sound naming spec's name for this event, and the spec's silence hint.
const SOUND_HINT = '--hint=string:sound-name:message-new-email';
const SILENCE_HINT = '--hint=boolean:suppress-sound:true';
// Without them a server shows a generic icon and cannot group or filter our popups as mail:
// the icon naming spec's status icon for unread mail, the notification spec's category.
const ICON = '--icon=mail-unread';
const CATEGORY = '--category=email.arrived';

/**
 * Shows new mail as desktop popups, grouped by the popup policy: a storm's summary replaces
 * the popup before it where the platform can (notify-send --replace-id on Linux, closing the
 * earlier ones too; a terminal-notifier group on macOS); elsewhere it is shown anew.
 */
export class DesktopNotifier implements Notifier {
  private failed = false;
  // libnotify before 0.7.11 rejects boolean hints and then shows nothing: once seen, the
  // silence hint is left out (and the daemon's default sound, if any, plays).
  private booleanHints = true;
  // notify-send before libnotify 0.7.9 has no --print-id (nor --replace-id).
  private printIds = true;
  private readonly platform: NodeJS.Platform;
  private readonly policy: PopupPolicy;
  // Our popup ids → the notification server's (notify-send --print-id), for --replace-id.
  private readonly serverIds = new Map<number, Promise<string | undefined>>();
  // Which of DBUS_CALLERS is installed here (past the end: neither).
  private caller = 0;
  // Whether the server reads the body as markup, once it has said (GetCapabilities).
  private bodyMarkup: boolean | undefined;
  // The notify-send runs, one after another (see showWithNotifySend); never rejects.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly logger: Logger,
    private readonly options: DesktopNotifierOptions,
  ) {
    this.platform = options.platform ?? process.platform;
    const source = {
      notifications: () => options.settings().notifications,
      account: (id: string) => options.settings().accounts.find((a) => a.id === id),
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

  /** Stops the policy's timers (a pending summary update, a quiet-hours check). */
  close(): void {
    this.policy.close();
  }

  private show(event: PopupEvent): void {
    const { showSubject, sound, preview } = this.options.settings().notifications;
    const name = (id: string) =>
      this.options.settings().accounts.find((a) => a.id === id)?.name ?? id;
    const { title, body } = describePopup(event.popup, name, showSubject, preview);
    const audible = sound && event.sound;
    if (this.platform === 'darwin' || this.platform === 'win32') {
      this.showWithNodeNotifier(title, body, audible, groupOf(event));
    } else {
      this.showWithNotifySend(event, title, body, audible);
    }
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

  private showWithNotifySend(event: PopupEvent, title: string, body: string, sound: boolean): void {
    let settle: (serverId: string | undefined) => void = () => {};
    const serverId = new Promise<string | undefined>((resolve) => (settle = resolve));
    const replaced = event.replaces.map((id) => this.serverIds.get(id));
    for (const id of event.replaces) this.serverIds.delete(id);
    this.rememberServerId(event.id, serverId);
    // One notify-send at a time: side by side, their D-Bus calls reached a real notification
    // server in any order, and a storm's first popups stacked out of order. In the queue, the
    // popups a summary replaces ran before it, so their ids are known when it runs: it takes
    // the last one's place, and the others are closed once it shows.
    const run = async () => {
      let shown: string | undefined;
      try {
        const ids = (await Promise.all(replaced)).filter((id): id is string => id !== undefined);
        const text = (await this.readsMarkup()) ? escapeNotificationMarkup(body) : body;
        shown = await this.runNotifySend(title, text, sound, ids.at(-1));
        for (const id of ids.slice(0, -1)) await this.closeNotification(id);
      } finally {
        // Always settled: a later summary in the queue waits for this id.
        settle(shown);
      }
    };
    this.queue = this.queue.then(run).catch((error: unknown) => this.warnOnce(String(error)));
  }

  /**
   * Runs notify-send (again without what an old one refuses) with `body` as the server is to
   * read it; resolves with the server's id.
   */
  private async runNotifySend(
    title: string,
    body: string,
    sound: boolean,
    replaceId: string | undefined,
  ): Promise<string | undefined> {
    const command = this.options.notifySend ?? 'notify-send';
    // Each retry turns off what made it fail, so this ends after at most three runs.
    for (;;) {
      const hint = sound ? SOUND_HINT : this.booleanHints ? SILENCE_HINT : undefined;
      const ids = this.printIds
        ? ['--print-id', ...(replaceId ? [`--replace-id=${replaceId}`] : [])]
        : [];
      const args = [
        '--app-name=Tidings',
        ICON,
        CATEGORY,
        `--expire-time=${EXPIRE_TIME_MS}`,
        ...(hint ? [hint] : []),
        ...ids,
        // Everything after `--` is text, whatever it starts with.
        '--',
        title,
        escapeBackslashes(body),
      ];
      const { error, stdout, stderr } = await runCommand(command, args);
      if (!error) return /^\d+/.exec(stdout.trim())?.[0];
      if (hint === SILENCE_HINT && stderr.includes('Invalid hint type')) {
        this.booleanHints = false;
      } else if (this.printIds && /Unknown option.*(print|replace)-id/.test(stderr)) {
        this.printIds = false;
      } else {
        this.warnOnce(describeFailure(command, error, stderr));
        return undefined;
      }
    }
  }

  /**
   * Whether the server reads the body as markup. The spec: markup sent to a server without
   * `body-markup` shows through, so the client must leave it out; escaped, "<b>" would show
   * as "&lt;b&gt;" there. Asked once it answers; while it cannot be asked (no gdbus or
   * dbus-send, no answer) markup is assumed, as GNOME, KDE, dunst and xfce4-notifyd read it.
   */
  private async readsMarkup(): Promise<boolean> {
    if (this.bodyMarkup === undefined) {
      const answer = await this.callService('GetCapabilities');
      if (answer === undefined) return true;
      this.bodyMarkup = BODY_MARKUP.test(answer);
    }
    return this.bodyMarkup;
  }

  /** Closes popup `id` once it has shown (in the queue, after the notify-send that shows it). */
  private withdrawPopup(id: number): void {
    if (this.platform === 'darwin' || this.platform === 'win32') return;
    const serverId = this.serverIds.get(id);
    if (!serverId) return;
    this.serverIds.delete(id);
    const run = async () => {
      const shown = await serverId;
      if (shown !== undefined) await this.closeNotification(shown);
    };
    this.queue = this.queue.then(run).catch((error: unknown) => this.warnOnce(String(error)));
  }

  /**
   * Closes a notification by its server id; with neither gdbus nor dbus-send it expires by
   * itself.
   */
  private async closeNotification(serverId: string): Promise<void> {
    await this.callService('CloseNotification', serverId);
  }

  /**
   * Calls the notification service with the first of DBUS_CALLERS installed; resolves with
   * what it printed, or undefined. A failure is only logged at debug level: popups still show.
   */
  private async callService(method: ServiceMethod, arg?: string): Promise<string | undefined> {
    for (let caller = DBUS_CALLERS[this.caller]; caller; caller = DBUS_CALLERS[this.caller]) {
      const { error, stdout, stderr } = await runCommand(caller.command, caller.args(method, arg));
      if (!error) return stdout;
      if ((error as ExecFileException).code !== 'ENOENT') {
        const reason = describeFailure(caller.command, error, stderr);
        this.logger.debug(`${method}${arg === undefined ? '' : ` ${arg}`} failed: ${reason}`);
        return undefined;
      }
      this.caller++;
    }
    return undefined;
  }

  // Only the newest few can still be replaced; older ids are forgotten.
  private rememberServerId(id: number, serverId: Promise<string | undefined>): void {
    this.serverIds.set(id, serverId);
    for (const old of this.serverIds.keys()) {
      if (this.serverIds.size <= 50) break;
      this.serverIds.delete(old);
    }
  }

  private warnOnce(reason: string): void {
    if (!this.failed) this.logger.warn(`desktop notification failed: ${reason}`);
    this.failed = true;
  }
}

function runCommand(
  command: string,
  args: string[],
): Promise<{ error: ExecFileException | Error | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    try {
      execFile(command, args, { timeout: NOTIFY_SEND_TIMEOUT_MS }, (error, stdout, stderr) =>
        resolve({ error, stdout: String(stdout), stderr: String(stderr) }),
      );
    } catch (error) {
      // execFile throws at once on arguments it cannot pass (a NUL byte): still only a warning.
      const failure = error instanceof Error ? error : new Error(String(error));
      resolve({ error: failure, stdout: '', stderr: '' });
    }
  });
}

// A storm's summary and its updates share a terminal-notifier group, so each replaces the last.
function groupOf(event: PopupEvent): string | undefined {
  const { popup } = event;
  return popup.kind === 'summary' ? `tidings:${popup.account}/${popup.mailbox}` : undefined;
}

// notify-send reads C escapes in the body (g_strcompress), whatever the server: a backslash
// and an "n" would become a newline.
function escapeBackslashes(body: string): string {
  return body.replace(/\\/g, '\\\\');
}

// Never the error's own message: it quotes the command line or arguments, popup text included.
function describeFailure(command: string, error: Error, stderr: string): string {
  const { code, killed, signal } = error as ExecFileException;
  if (code === 'ENOENT') return `${command} not found in PATH`;
  if (killed) return `${command} timed out`;
  const firstLine = stderr.trim().split('\n')[0];
  if (firstLine) return firstLine;
  if (typeof code === 'number') return `${command} exited with status ${code}`;
  return `${command} failed (${String(code ?? signal ?? error.name)})`;
}
