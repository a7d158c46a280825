/**
 * The settings window, locked down: context isolation, sandbox, no Node integration, a CSP
 * in its HTML, no navigation, no new windows, every permission denied. One window at most;
 * opening it again focuses it.
 */
import {
  BrowserWindow,
  type BrowserWindowConstructorOptions,
  type MenuItemConstructorOptions,
  type Session,
} from 'electron';

/** Where the window's files are, and whether DevTools may open (never in a packaged app). */
export interface SettingsWindowPaths {
  preload: string;
  html: string;
  devTools: boolean;
  /**
   * Asked when the user closes the window: true keeps it, minimized (a desktop without tray
   * icons, where the window is the app's only presence; never while quitting).
   */
  keepOnClose?: () => boolean;
}

/** The window's options; exported so a test can assert every security setting. */
export function settingsWindowOptions(
  preloadPath: string,
  devTools: boolean,
): BrowserWindowConstructorOptions {
  return {
    // The page gets exactly 720 × 560, the size every section is laid out (and tested) for.
    width: 720,
    height: 560,
    useContentSize: true,
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
      // A packaged app has no DevTools: they would let anyone at the keyboard call main's IPC.
      devTools,
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
  paths: SettingsWindowPaths,
): BrowserWindow {
  if (existing && !existing.isDestroyed()) {
    existing.show();
    existing.focus();
    return existing;
  }
  const window = new BrowserWindow(settingsWindowOptions(paths.preload, paths.devTools));
  denyAllPermissions(window.webContents.session);
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (!paths.keepOnClose?.()) return;
    event.preventDefault();
    window.minimize();
  });
  void window.loadFile(paths.html);
  return window;
}

/**
 * The application menu: none on Windows and Linux (Electron's default one has Reload and
 * Toggle DevTools); on macOS, where copy and paste in a text field need an Edit menu, only the
 * app and Edit menus.
 */
export function applicationMenuTemplate(
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }];
}
