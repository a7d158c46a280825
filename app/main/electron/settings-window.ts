/**
 * The settings window, locked down: context isolation, sandbox, no Node integration, a CSP
 * in its HTML, no navigation, no new windows, every permission denied. One window at most;
 * opening it again focuses it.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type Session } from 'electron';

/** The window's options; exported so a test can assert every security setting. */
export function settingsWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 760,
    height: 620,
    minWidth: 560,
    minHeight: 460,
    show: false,
    title: 'Tidings Settings',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Denies every permission request and check of `session` (both handlers are needed). */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Opens (or focuses) the settings window showing `htmlPath`. */
export function openSettingsWindow(
  existing: BrowserWindow | null,
  paths: { preload: string; html: string },
): BrowserWindow {
  if (existing && !existing.isDestroyed()) {
    existing.show();
    existing.focus();
    return existing;
  }
  const window = new BrowserWindow(settingsWindowOptions(paths.preload));
  denyAllPermissions(window.webContents.session);
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.once('ready-to-show', () => window.show());
  void window.loadFile(paths.html);
  return window;
}
