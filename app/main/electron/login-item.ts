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

/** Turns start at login on or off for the running executable. */
export function setStartAtLogin(
  enabled: boolean,
  platform: NodeJS.Platform = process.platform,
): void {
  if (platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true });
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
      `Exec="${exec.replace(/"/g, '\\"')}" --hidden`,
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n'),
  );
}
