/**
 * A stand-in for the `electron` module (its binary cannot be installed here): small
 * EventEmitter fakes that record what the adapters create and call. Test files install it with
 *   vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
 * and inspect `fake` from the same module.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';

/** Records every notification made. */
export class FakeNotification extends EventEmitter {
  static readonly made: FakeNotification[] = [];
  static isSupported = () => true;
  shown = false;
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {
    super();
    FakeNotification.made.push(this);
  }
  show(): void {
    this.shown = true;
  }
}

/** Records the tray's image, tooltip and menu. */
export class FakeTray {
  static readonly made: FakeTray[] = [];
  tooltip = '';
  menu: { template: unknown[] } | null = null;
  destroyed = false;
  constructor(public image: { path: string }) {
    FakeTray.made.push(this);
  }
  setImage(image: { path: string }) {
    this.image = image;
  }
  setToolTip(tooltip: string) {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: { template: unknown[] }) {
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
}

/** A window whose web contents record handlers and navigation. */
export class FakeBrowserWindow extends EventEmitter {
  static readonly made: FakeBrowserWindow[] = [];
  loaded: string | null = null;
  readonly session = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  };
  readonly webContents = Object.assign(new EventEmitter(), {
    session: this.session,
    setWindowOpenHandler: vi.fn(),
    send: vi.fn(),
    mainFrame: {},
  });
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.made.push(this);
  }
  loadFile(file: string) {
    this.loaded = file;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  show = vi.fn();
  focus = vi.fn();
}

const userData = mkdtempSync(path.join(tmpdir(), 'tidings-userdata-'));

/** The fakes, for tests to drive and inspect. */
export const fake = {
  userData,
  app: Object.assign(new EventEmitter(), {
    getPath: vi.fn(() => userData),
    setPath: vi.fn(),
    isPackaged: false,
    getVersion: vi.fn(() => '0.1.0'),
    setLoginItemSettings: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: vi.fn(() => Promise.resolve()),
    quit: vi.fn(),
    setAppUserModelId: vi.fn(),
    dock: { hide: vi.fn() },
  }),
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn(), on: vi.fn() },
  powerMonitor: new EventEmitter(),
  net: { isOnline: vi.fn(() => true) },
  shell: {
    openExternal: vi.fn(() => Promise.resolve()),
    openPath: vi.fn((_path: string) => Promise.resolve('')),
  },
  // Reversible but not plain: the tests check the plaintext never reaches the disk.
  safeStorage: {
    isEncryptionAvailable: vi.fn(() => true),
    getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
    encryptString: vi.fn((text: string) => Buffer.from(`enc:${[...text].reverse().join('')}`)),
    decryptString: vi.fn((data: Buffer) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext');
      return [...text.slice(4)].reverse().join('');
    }),
  },
  Menu: {
    buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
    setApplicationMenu: vi.fn(),
  },
  nativeImage: { createFromPath: vi.fn((file: string) => ({ path: file })) },
};

/** The module object `vi.mock('electron', …)` returns. */
export function electronModule() {
  const module = {
    app: fake.app,
    ipcMain: fake.ipcMain,
    powerMonitor: fake.powerMonitor,
    net: fake.net,
    shell: fake.shell,
    safeStorage: fake.safeStorage,
    Menu: fake.Menu,
    nativeImage: fake.nativeImage,
    Notification: FakeNotification,
    Tray: FakeTray,
    BrowserWindow: FakeBrowserWindow,
  };
  return { ...module, default: module };
}
