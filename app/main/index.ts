/**
 * The Electron composition root: one instance, no window at start (a tray app), the engine's
 * ports filled with Electron adapters, typed IPC for the settings window, and a clean
 * shutdown that says LOGOUT on every connection before quitting.
 */
import path from 'node:path';
import type { BrowserWindow } from 'electron';
import { app, ipcMain, Menu, net, shell, type IpcMainInvokeEvent } from 'electron';
import type { StatusView, UpdateStatus } from '../common/ipc-contract.js';
import { appPaths } from './app-paths.js';
import { describeVersion } from './describe-version.js';
import { ConfStateStore, ConnectGate, Supervisor, testConnection } from './engine/index.js';
import { resolveAccount } from './engine/setup/index.js';
import { connectionLimitFor, DEFAULT_MAX_CONNECTIONS } from './engine/watch/index.js';
import { signIn } from './engine/auth/index.js';
import { systemClock } from './engine/base/index.js';
import { createAboutHandlers } from './electron/about-handlers.js';
import { createAppCredentials } from './electron/app-credentials.js';
import { createAutoconfigHandlers } from './electron/autoconfig-handlers.js';
import { inspectCertificate } from './electron/certificate-check.js';
import { builtInClients } from './electron/build-info.js';
import { installCrashGuard, recoveredLine, takeCrashNote } from './electron/crash-guard.js';
import { ElectronNotifier } from './electron/electron-notifier.js';
import { createElectronSystemEvents } from './electron/electron-system-events.js';
import { registerIpcHandlers } from './electron/ipc-handlers.js';
import { createFileLogger, type FileLogger } from './electron/log-file.js';
import { setStartAtLogin, startedAtLogin } from './electron/login-item.js';
import { pauseUntil } from './electron/pause.js';
import {
  decryptPassword,
  encryptPassword,
  secretStorageWarning,
} from './electron/safe-storage-secrets.js';
import { seedAccount, seedAccountFile } from './electron/seed-account.js';
import { createSettingsHandlers } from './electron/settings-handlers.js';
import { createSignInHandlers } from './electron/sign-in-handlers.js';
import { SettingsStore } from './electron/settings-store.js';
import { createSignInReminder } from './electron/sign-in-reminder.js';
import { applicationMenuTemplate, openSettingsWindow } from './electron/settings-window.js';
import { createTrayController, type TrayController } from './electron/tray-controller.js';
import { NO_TRAY_WARNING, trayHostPresent } from './electron/tray-host.js';
import { NewMailCount } from './electron/new-mail-count.js';
import type { TrayState } from './electron/tray-menu.js';
import { createUpdateController } from './electron/update-controller.js';
import { loadUpdater, readPackageType } from './electron/updater-choice.js';

const APP_ID = 'app.tidings.desktop';
const paths = appPaths(import.meta.dirname);

// The demo's and the end-to-end test's hooks, for a development checkout only: a packaged
// app takes no accounts or data directory from whoever starts it.
const devHooks = !app.isPackaged;

// Set before anything reads it: the single-instance lock lives in the data directory too, so
// a demo or end-to-end run with its own directory never meets the user's running app.
if (devHooks && process.env.TIDINGS_USER_DATA_DIR) {
  app.setPath('userData', path.resolve(process.env.TIDINGS_USER_DATA_DIR));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // A tray app stays alive when its settings window closes.
  app.on('window-all-closed', () => {});
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  app.dock?.hide();
  const menu = applicationMenuTemplate(process.platform);
  Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
  const logger = createAppLogger();
  const version = describeVersion();
  logger.info(`Tidings ${version} starting`);
  const userData = app.getPath('userData');
  // An uncaught exception is logged with its stack and noted; the next start says so.
  installCrashGuard(process, { logger, dir: userData, quit: (code) => app.exit(code) });
  const crash = takeCrashNote(userData);
  if (crash) logger.warn(`the last run ended in a crash at ${crash.at}: ${crash.message}`);
  // GNOME without the AppIndicator extension shows no tray icon: the window is then the app.
  const trayWarning = (await trayHostPresent()) ? null : NO_TRAY_WARNING;
  if (trayWarning) logger.warn(trayWarning);
  let quitting = false;
  const store = new SettingsStore({
    onInvalid: (problems) =>
      logger.warn(`settings were invalid and were reset:\n${problems.join('\n')}`),
  });
  const seedFile = devHooks ? seedAccountFile(process.argv) : undefined;
  if (seedFile) seedAccount(store, seedFile, encryptPassword, logger);
  let settingsWindow: BrowserWindow | null = null;
  let pausedUntil: Date | null = null;
  const systemEvents = createElectronSystemEvents();

  const credentials = createAppCredentials({
    store,
    builtInClients,
    encrypt: encryptPassword,
    decrypt: decryptPassword,
  });
  // The mail new since the user last looked at the tray or clicked a popup (the tooltip says
  // it always; the icon counts it when the user chose "new"). A burst of announcements or
  // withdrawals is one tray update, not one per message.
  const newMail = new NewMailCount();
  let trayUpdateQueued = false;
  const newMailChanged = (changed: boolean) => {
    if (!changed || trayUpdateQueued) return;
    trayUpdateQueued = true;
    queueMicrotask(() => {
      trayUpdateQueued = false;
      tray.updateIcon(trayState());
    });
  };
  const notifier: ElectronNotifier = new ElectronNotifier({
    settings: () => store.engineSettings(),
    pausedUntil: () => pausedUntil,
    logger,
    // A popup's button: the supervisor borrows a connection of the account for it. A message
    // acted on is no longer new at once, before the watcher sees the change too.
    act: async (messages, action) => {
      const outcomes = await supervisor.actOnMessages(messages, action);
      messages.forEach((message, i) => {
        if (outcomes[i]?.done) newMailChanged(newMail.withdraw(message));
      });
      return outcomes;
    },
    offeredActions: (account) => supervisor.offeredActions(account.id),
    onClick: () => newMailChanged(newMail.look()),
  });
  const supervisor: Supervisor = new Supervisor({
    settings: store.engineSettings(),
    store: new ConfStateStore(userData, logger),
    credentials,
    notifier: {
      notify: (announcement) => {
        notifier.notify(announcement);
        newMailChanged(newMail.announce(announcement.message));
      },
    },
    systemEvents,
    logger,
    // Popups have buttons: each account's mailboxes are listed once, so Delete and Archive
    // are offered only where they have somewhere to move the message.
    popupButtons: true,
  });

  const statusViews = (): StatusView[] =>
    supervisor.getStatuses().map(({ account, mailbox, state, detail, unread, via }) => ({
      account,
      mailbox,
      state,
      detail,
      unread,
      ...(via ? { via } : {}),
    }));
  const updates = createUpdateController({
    ...(await loadUpdater(
      {
        isPackaged: app.isPackaged,
        platform: process.platform,
        appImage: process.env.APPIMAGE,
        packageType: readPackageType(process.resourcesPath),
      },
      logger,
    )),
    enabled: () => store.checkForUpdates,
    isOnline: () => net.isOnline(),
    clock: systemClock,
    logger,
    onChange: (status: UpdateStatus) => {
      refreshTray();
      if (settingsWindow && !settingsWindow.isDestroyed()) {
        settingsWindow.webContents.send('update:changed', status);
      }
    },
  });
  const trayState = (): TrayState => ({
    accounts: store.engineSettings().accounts.map((a) => ({
      id: a.id,
      name: a.name ?? a.id,
      oauth2: a.auth === 'oauth2',
    })),
    statuses: statusViews(),
    newMail: newMail.count,
    tray: store.tray,
    pausedUntil,
    startAtLogin: store.startAtLogin,
    now: new Date(),
    about: `Tidings ${version}`,
    notice: crash ? recoveredLine(crash, new Date()) : undefined,
    update: updates.status(),
  });
  const refreshTray = () => tray.update(trayState());
  const openSettings = () => {
    const previous = settingsWindow;
    settingsWindow = openSettingsWindow(settingsWindow, {
      ...paths,
      devTools: !app.isPackaged,
      keepOnClose: () => trayWarning !== null && !quitting,
    });
    // The window that asked for a sign-in is gone: nobody waits for the browser any more.
    if (settingsWindow !== previous) {
      settingsWindow.once('closed', () => {
        void signInHandlers['account:sign-in-cancel'](undefined);
        autoconfigHandlers.cancel();
        cancelTest();
      });
    }
  };

  const tray: TrayController = createTrayController(paths.assets, {
    looked: () => newMailChanged(newMail.look()),
    refresh: () => supervisor.refresh(),
    pause: (choice) => {
      pausedUntil = pauseUntil(choice, new Date());
      notifier.pauseChanged();
      refreshTray();
    },
    openSettings,
    showLog: () => {
      void shell.openPath(logger.path).then((problem) => {
        if (problem) logger.warn(`cannot open the log ${logger.path}: ${problem}`);
      });
    },
    setStartAtLogin: (enabled) => {
      setStartAtLogin(enabled);
      store.savePreferences({
        notifications: store.engineSettings().notifications,
        startAtLogin: enabled,
        checkForUpdates: store.checkForUpdates,
        tray: store.tray,
      });
      refreshTray();
    },
    restartToUpdate: () => updates.restartToUpdate(),
    quit: () => app.quit(),
  });

  const remindToSignIn = createSignInReminder({
    oauth2AccountName: (id) => {
      const account = store.engineSettings().accounts.find((a) => a.id === id);
      return account?.auth === 'oauth2' ? (account.name ?? account.id) : undefined;
    },
    openSettings,
  });
  // Mail read or moved on another device (or deleted): its popup leaves the screen too.
  supervisor.onMessageChange((change) => {
    notifier.withdraw(change);
    newMailChanged(newMail.withdraw(change));
  });
  supervisor.onStatus((status) => {
    remindToSignIn(status);
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

  // "Test connection" goes anywhere the window says: one at a time, so a page cannot turn
  // the app into a port scanner or a login flood.
  const testGate = new ConnectGate(1);
  const apply = async () => {
    await supervisor.applySettings(store.engineSettings());
    updates.preferenceChanged();
    refreshTray();
  };
  const signInHandlers = createSignInHandlers({
    store,
    builtInClients,
    signIn,
    openExternal: (url) => shell.openExternal(url),
    encrypt: encryptPassword,
    apply: async (accountId) => {
      await apply();
      supervisor.retry(accountId);
    },
    view: () => store.view(secretStorageWarning(), trayWarning),
  });
  const autoconfigHandlers = createAutoconfigHandlers({
    resolve: (email, signal) => resolveAccount(email, { signal }),
  });
  const commandTimeoutMs = () => store.engineSettings().liveness.commandTimeoutSeconds * 1000;
  const { cancelTest, ...settingsChannels } = createSettingsHandlers({
    store,
    apply,
    statuses: statusViews,
    signedInCredentials: (id) => credentials.getCredentials(id),
    testConnection: (account, secret) =>
      testConnection(account, secret, {
        commandTimeoutMs: commandTimeoutMs(),
        gate: testGate,
        logger,
      }),
    // The test and its mailbox list count against the account's budget, like its watchers.
    borrowConnection: (id, signal) => supervisor.borrowConnection(id, signal),
    connectionLimit: (id) => {
      const account = store.engineSettings().accounts.find((a) => a.id === id);
      return account
        ? connectionLimitFor(account)
        : { limit: DEFAULT_MAX_CONNECTIONS, source: 'default' };
    },
    progress: (message) => {
      if (settingsWindow && !settingsWindow.isDestroyed()) {
        settingsWindow.webContents.send('account:test-progress', { message });
      }
    },
    inspectCertificate: (account) => inspectCertificate(account, commandTimeoutMs()),
    setStartAtLogin,
    encrypt: encryptPassword,
    decrypt: decryptPassword,
    secretStorageWarning: () => secretStorageWarning(),
    trayWarning: () => trayWarning,
  });
  registerIpcHandlers(
    ipcMain,
    {
      ...settingsChannels,
      ...signInHandlers,
      'account:autoconfigure': autoconfigHandlers['account:autoconfigure'],
      ...createAboutHandlers({ version, logPath: logger.path, updates }),
    },
    isTrustedSender,
  );

  let stopped = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    updates.stop();
    void supervisor.stop().finally(() => {
      stopped = true;
      systemEvents.close();
      notifier.close();
      tray.destroy();
      logger.info('stopped');
      app.quit();
    });
  });
  app.on('second-instance', openSettings);
  supervisor.start();
  updates.start();
  refreshTray();
  // A login start stays in the tray, unless there is nothing to watch yet or no tray to stay in.
  const noAccounts = store.engineSettings().accounts.length === 0;
  if (noAccounts || trayWarning || !startedAtLogin(process.argv)) openSettings();
}

// The log file in the data directory (what "Show log" opens), with warnings and errors also
// on the console for a developer's terminal. TIDINGS_DEBUG=1 adds the engine's debug lines.
function createAppLogger(): FileLogger {
  const file = createFileLogger(path.join(app.getPath('userData'), 'logs', 'tidings.log'), {
    debug: process.env.TIDINGS_DEBUG === '1',
  });
  return {
    path: file.path,
    debugEnabled: file.debugEnabled,
    debug: (message) => file.debug(message),
    info: (message) => file.info(message),
    warn: (message) => {
      file.warn(message);
      console.warn(message);
    },
    error: (message) => {
      file.error(message);
      console.error(message);
    },
  };
}
