/**
 * Whether the desktop shows tray icons at all. Electron's Tray on Linux is a
 * StatusNotifierItem, shown only where a host watches for them (KDE Plasma, Cinnamon, XFCE
 * and MATE with their plugins, GNOME only with the AppIndicator extension): the session bus
 * then has a `org.kde.StatusNotifierWatcher`. Asked with `dbus-send`, D-Bus's own client,
 * which every desktop with a session bus has. macOS and Windows always show the icon. When
 * the question cannot be asked (no dbus-send, no answer), a tray is assumed: the app then
 * behaves as it always did.
 */
import { execFile } from 'node:child_process';

/** The name a StatusNotifierItem host owns on the session bus. */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** Runs dbus-send with `args`; resolves with its stdout. */
export type DbusSend = (args: string[]) => Promise<string>;

const runDbusSend: DbusSend = (args) =>
  new Promise((resolve, reject) => {
    execFile('dbus-send', args, { timeout: 2_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/** True unless this is a Linux session whose bus has no StatusNotifierItem host. */
export async function trayHostPresent(
  platform: NodeJS.Platform = process.platform,
  send: DbusSend = runDbusSend,
): Promise<boolean> {
  if (platform !== 'linux') return true;
  try {
    const answer = await send([
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      `string:${STATUS_NOTIFIER_WATCHER}`,
    ]);
    const owned = /\bboolean (true|false)\b/.exec(answer)?.[1];
    return owned !== 'false';
  } catch {
    return true;
  }
}

/** What the window says when there is no tray. */
export const NO_TRAY_WARNING =
  'Your desktop shows no tray icons (on GNOME, the "AppIndicator and KStatusNotifierItem ' +
  'Support" extension adds them), so Tidings keeps this window: closing it minimizes it, ' +
  'and Quit in its dock or taskbar menu ends Tidings.';
