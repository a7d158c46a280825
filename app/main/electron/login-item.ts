/**
 * "Start at login": `app.setLoginItemSettings` on macOS and Windows; on Linux, which Electron
 * does not cover, an XDG autostart entry in ~/.config/autostart.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { app } from 'electron';

/** The XDG autostart file for Tidings. */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(configHome, 'autostart', 'tidings.desktop');
}

/** The flag a login start carries on Windows and Linux, so it opens no window. */
export const HIDDEN_FLAG = '--hidden';

/**
 * Electron's login item for macOS and Windows. `openAsHidden` is deprecated and ignored from
 * macOS 13 on: macOS tells a login start by `wasOpenedAtLogin` instead (`startedAtLogin`);
 * Windows starts the executable with the arguments given here.
 */
export function loginItemSettings(enabled: boolean, platform: NodeJS.Platform): Electron.Settings {
  return platform === 'win32'
    ? { openAtLogin: enabled, args: [HIDDEN_FLAG] }
    : { openAtLogin: enabled };
}

/** Whether this start came from the login item, in which case no window should open. */
export function startedAtLogin(
  argv: readonly string[],
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}

/** Turns start at login on or off for the running executable. */
export function setStartAtLogin(
  enabled: boolean,
  platform: NodeJS.Platform = process.platform,
): void {
  if (platform !== 'linux') {
    app.setLoginItemSettings(loginItemSettings(enabled, platform));
    return;
  }
  const file = autostartFile();
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // APPIMAGE is the AppImage's own path when run from one; otherwise the executable.
  const exec = process.env.APPIMAGE || process.execPath;
  writeFileSync(
    file,
    [
      '[Desktop Entry]',
      'Type=Application',
      'Name=Tidings',
      'Comment=New mail notifications',
      `Exec=${desktopExecArgument(exec)} ${HIDDEN_FLAG}`,
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n'),
  );
}

/**
 * One argument of a desktop entry's Exec key, per the Desktop Entry Specification: quoted,
 * with `"`, `` ` ``, `$` and `\` backslash-escaped inside the quotes; then the string-value
 * escapes applied on top (so a literal backslash is written as four), and `%` doubled so it
 * is not taken for a field code such as %f.
 */
export function desktopExecArgument(argument: string): string {
  const quoted = `"${argument.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
  return quoted
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/%/g, '%%');
}
