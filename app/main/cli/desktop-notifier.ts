/**
 * Desktop notifications for `tidings watch`. On Linux (and the BSDs) we run notify-send
 * ourselves, without a shell: node-notifier builds a shell command with no `--` before the
 * text, so a subject like `--urgency=critical` became an option, and it leaves the body's
 * markup unescaped. On macOS (terminal-notifier) and Windows (SnoreToast) node-notifier
 * stays. Without notify-send or a notification daemon (no D-Bus session) the failure is
 * logged once, never thrown.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import nodeNotifier from 'node-notifier';
import type { NotificationSettings } from '../../common/settings-schema.js';
import {
  describeAnnouncement,
  type Announcement,
  type Logger,
  type Notifier,
} from '../engine/index.js';

/** What node-notifier is asked to show on macOS and Windows. */
export interface NodeNotification {
  title: string;
  message: string;
  appID: string;
  wait: false;
  sound: boolean;
}

/** node-notifier's `notify`, or a stand-in for tests. */
export type NodeNotify = (
  notification: NodeNotification,
  done: (error: Error | null) => void,
) => void;

/** How a DesktopNotifier shows popups. */
export interface DesktopNotifierOptions {
  /** The user's choices: sender and subject in the popup, the notification sound. */
  preferences: Pick<NotificationSettings, 'showSubject' | 'sound'>;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** The notify-send command, looked up in PATH; defaults to `notify-send`. */
  notifySend?: string;
  /** Defaults to node-notifier's `notify`. */
  nodeNotify?: NodeNotify;
}

// node-notifier's default expiry, kept so popups last as long as they did.
const EXPIRE_TIME_MS = 10_000;
// notify-send waits for D-Bus; a hung session bus must not pile up processes.
const NOTIFY_SEND_TIMEOUT_MS = 30_000;
// The freedesktop sound naming spec's name for this event, and the spec's silence hint.
const SOUND_HINT = '--hint=string:sound-name:message-new-email';
const SILENCE_HINT = '--hint=boolean:suppress-sound:true';

/** Shows each announcement as a desktop popup. */
export class DesktopNotifier implements Notifier {
  private failed = false;
  // libnotify before 0.7.11 rejects boolean hints and then shows nothing: once seen, the
  // silence hint is left out (and the daemon's default sound, if any, plays).
  private booleanHints = true;
  private readonly platform: NodeJS.Platform;

  constructor(
    private readonly accountNames: ReadonlyMap<string, string>,
    private readonly logger: Logger,
    private readonly options: DesktopNotifierOptions,
  ) {
    this.platform = options.platform ?? process.platform;
  }

  notify(announcement: Announcement): void {
    const account =
      announcement.kind === 'message' ? announcement.message.account : announcement.account;
    const { showSubject, sound } = this.options.preferences;
    const { title, body } = describeAnnouncement(
      announcement,
      this.accountNames.get(account) ?? account,
      showSubject,
    );
    if (this.platform === 'darwin' || this.platform === 'win32') {
      this.showWithNodeNotifier(title, body, sound);
    } else {
      this.showWithNotifySend(title, body, sound);
    }
  }

  private showWithNodeNotifier(title: string, message: string, sound: boolean): void {
    const notify: NodeNotify =
      this.options.nodeNotify ?? ((notification, done) => nodeNotifier.notify(notification, done));
    notify({ title, message, appID: 'Tidings', wait: false, sound }, (error) => {
      if (error) this.warnOnce(error.message.trim());
    });
  }

  private showWithNotifySend(title: string, body: string, sound: boolean): void {
    const command = this.options.notifySend ?? 'notify-send';
    const hint = sound ? SOUND_HINT : this.booleanHints ? SILENCE_HINT : undefined;
    const args = [
      '--app-name=Tidings',
      `--expire-time=${EXPIRE_TIME_MS}`,
      ...(hint ? [hint] : []),
      // Everything after `--` is text, whatever it starts with.
      '--',
      title,
      escapeBody(body),
    ];
    runCommand(command, args, (error, stderr) => {
      if (!error) return;
      if (hint === SILENCE_HINT && stderr.includes('Invalid hint type')) {
        this.booleanHints = false;
        this.showWithNotifySend(title, body, sound);
        return;
      }
      this.warnOnce(describeFailure(command, error, stderr));
    });
  }

  private warnOnce(reason: string): void {
    if (!this.failed) this.logger.warn(`desktop notification failed: ${reason}`);
    this.failed = true;
  }
}

function runCommand(
  command: string,
  args: string[],
  done: (error: ExecFileException | Error | null, stderr: string) => void,
): void {
  try {
    execFile(command, args, { timeout: NOTIFY_SEND_TIMEOUT_MS }, (error, _stdout, stderr) =>
      done(error, String(stderr)),
    );
  } catch (error) {
    // execFile throws at once on arguments it cannot pass (a NUL byte): still only a warning.
    done(error instanceof Error ? error : new Error(String(error)), '');
  }
}

// The body is markup for libnotify daemons (the spec's `body-markup`), and notify-send also
// reads C escapes in it (g_strcompress); the summary is shown as plain text, untouched.
const BODY_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\\': '\\\\',
};

function escapeBody(body: string): string {
  return body.replace(/[&<>"'\\]/g, (char) => BODY_ESCAPES[char] ?? char);
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
