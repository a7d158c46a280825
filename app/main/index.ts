/**
 * The Electron composition root: one instance, no window at start (a tray app), the engine's
 * ports filled with Electron adapters, typed IPC for the settings window, and a clean
 * shutdown that says LOGOUT on every connection before quitting.
 */
import path from 'node:path';
import type { BrowserWindow } from 'electron';
import { app, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { StatusView } from '../common/ipc-contract.js';
import { ConfStateStore, Supervisor, type Logger } from './engine/index.js';
import { testConnection } from './engine/test-connection.js';
import { ElectronNotifier } from './electron/electron-notifier.js';
import { createElectronSystemEvents } from './electron/electron-system-events.js';
import { registerIpcHandlers } from './electron/ipc-handlers.js';
import { setStartAtLogin } from './electron/login-item.js';
import { isPaused, pauseUntil } from './electron/pause.js';
import {
  decryptPassword,
  encryptPassword,
  secretStorageWarning,
} from './electron/safe-storage-secrets.js';
import { SettingsStore } from './electron/settings-store.js';
import { openSettingsWindow } from './electron/settings-window.js';
import { createTrayController, type TrayController } from './electron/tray-controller.js';

const APP_ID = 'app.tidings.desktop';
const here = import.meta.dirname;
const paths = {
  preload: path.join(here, '..', 'preload', 'index.cjs'),
  html: path.join(here, '..', 'renderer', 'index.html'),
  assets: path.join(here, '..', '..', 'assets'),
};

const logger: Logger = {
  debug: () => {},
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // A tray app stays alive when its settings window closes.
  app.on('window-all-closed', () => {});
  void app.whenReady().then(start);
}

function start(): void {
  app.dock?.hide();
  const store = new SettingsStore({
    onInvalid: (problems) =>
      logger.warn(`settings were invalid and were reset:\n${problems.join('\n')}`),
  });
  let settingsWindow: BrowserWindow | null = null;
  let pausedUntil: Date | null = null;
  const systemEvents = createElectronSystemEvents();

  const notifier = new ElectronNotifier({
    account: (id) => {
      const account = store.engineSettings().accounts.find((a) => a.id === id);
      return account && { name: account.name ?? account.id, openUrl: account.openUrl };
    },
    preferences: () => store.engineSettings().notifications,
    isPaused: () => isPaused(pausedUntil, new Date()),
    logger,
  });
  const supervisor = new Supervisor({
    settings: store.engineSettings(),
    store: new ConfStateStore(app.getPath('userData'), logger),
    secrets: {
      getPassword: async (id) => {
        const cipher = store.passwordCipher(id);
        if (!cipher) throw new Error(`no password stored for ${id}`);
        return decryptPassword(cipher);
      },
    },
    notifier,
    systemEvents,
    logger,
  });

  const statusViews = (): StatusView[] =>
    supervisor.getStatuses().map(({ account, mailbox, state, detail, unread }) => ({
      account,
      mailbox,
      state,
      detail,
      unread,
    }));
  const refreshTray = () =>
    tray.update({
      accounts: store.engineSettings().accounts.map((a) => ({ id: a.id, name: a.name ?? a.id })),
      statuses: statusViews(),
      pausedUntil,
      startAtLogin: store.startAtLogin,
      now: new Date(),
    });
  const applySettings = async () => {
    await supervisor.applySettings(store.engineSettings());
    refreshTray();
    return { ok: true as const, value: store.view(secretStorageWarning()) };
  };
  const openSettings = () => {
    settingsWindow = openSettingsWindow(settingsWindow, paths);
  };

  const tray: TrayController = createTrayController(paths.assets, {
    refresh: () => supervisor.refresh(),
    pause: (choice) => {
      pausedUntil = pauseUntil(choice, new Date());
      refreshTray();
    },
    openSettings,
    setStartAtLogin: (enabled) => {
      setStartAtLogin(enabled);
      store.savePreferences({
        notifications: store.engineSettings().notifications,
        startAtLogin: enabled,
      });
      refreshTray();
    },
    quit: () => app.quit(),
  });

  supervisor.onStatus(() => {
    refreshTray();
    if (settingsWindow && !settingsWindow.isDestroyed()) {
      settingsWindow.webContents.send('status:changed', statusViews());
    }
  });

  const isTrustedSender = (event: IpcMainInvokeEvent) =>
    settingsWindow !== null &&
    !settingsWindow.isDestroyed() &&
    event.sender === settingsWindow.webContents &&
    event.senderFrame === settingsWindow.webContents.mainFrame;

  registerIpcHandlers(
    ipcMain,
    {
      'settings:get': () => ({ ok: true, value: store.view(secretStorageWarning()) }),
      'status:get': () => ({ ok: true, value: statusViews() }),
      'account:save': async (input) => {
        const saved = store.saveAccount(input, encryptPassword);
        return saved.ok ? applySettings() : saved;
      },
      'account:remove': async ({ id }) => {
        const removed = store.removeAccount(id);
        return removed.ok ? applySettings() : removed;
      },
      'account:test': async ({ originalId, account }) => {
        const cipher = store.passwordCipher(originalId ?? account.id);
        const password = account.password || (cipher ? decryptPassword(cipher) : '');
        const timeout = store.engineSettings().liveness.commandTimeoutSeconds * 1000;
        return {
          ok: true,
          value: await testConnection(account, password, { commandTimeoutMs: timeout }),
        };
      },
      'preferences:save': async (input) => {
        if (input.startAtLogin !== store.startAtLogin) setStartAtLogin(input.startAtLogin);
        store.savePreferences(input);
        return applySettings();
      },
    },
    isTrustedSender,
  );

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void supervisor.stop().finally(() => {
      stopped = true;
      systemEvents.close();
      tray.destroy();
      app.quit();
    });
  });
  app.on('second-instance', openSettings);
  supervisor.start();
  refreshTray();
  if (store.engineSettings().accounts.length === 0 || !process.argv.includes('--hidden'))
    openSettings();
}
