/**
 * A stand-in for the `electron` module (its binary cannot be installed here): small
 * EventEmitter fakes that record what the adapters create and call. Test files install it with
 *   vi.mock('electron', async () => (await import('./electron-fake.js')).electronModule());
 * and inspect `fake` from the same module. Each fake `satisfies` (or `implements`) the part of
 * Electron's own type that the app uses, so a change in electron.d.ts fails the typecheck here
 * instead of passing the tests against a fake that no longer matches.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {
  App,
  BrowserWindow,
  IpcMain,
  LoginItemSettings,
  Menu,
  NativeImage,
  Net,
  Notification,
  NotificationConstructorOptions,
  SafeStorage,
  Shell,
  Tray,
} from 'electron';
import { vi } from 'vitest';

/** What `app.getLoginItemSettings()` says for a start by the user. */
export const notAtLogin: LoginItemSettings = {
  openAtLogin: false,
  openAsHidden: false,
  wasOpenedAtLogin: false,
  wasOpenedAsHidden: false,
  restoreState: false,
  status: 'not-registered',
  executableWillLaunchAtLogin: false,
  launchItems: [],
};

type MenuStatics = Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>;

/** Records every notification made. */
export class FakeNotification extends EventEmitter implements Pick<Notification, 'show' | 'close'> {
  static readonly made: FakeNotification[] = [];
  static isSupported: (typeof Notification)['isSupported'] = () => true;
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions & { title: string; body: string }) {
    super();
    FakeNotification.made.push(this);
  }
  show(): void {
    this.shown = true;
  }
  /** As Electron's: dismisses it, and (usually) emits `close`. */
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

/** Records the tray's image, tooltip and menu; a test emits its `click` and `right-click`. */
export class FakeTray
  extends EventEmitter
  implements Pick<Tray, 'setImage' | 'setToolTip' | 'setContextMenu' | 'destroy'>
{
  static readonly made: FakeTray[] = [];
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(public image: NativeImage | string) {
    super();
    FakeTray.made.push(this);
  }
  setImage(image: NativeImage | string) {
    this.image = image;
  }
  setToolTip(tooltip: string) {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: Menu | null) {
    // The fake Menu.buildFromTemplate below makes a { template } object.
    this.menu = menu as unknown as FakeMenu | null;
  }
  destroy() {
    this.destroyed = true;
  }
}

/** A menu as `Menu.buildFromTemplate` makes it: its template, and events a test can emit. */
export type FakeMenu = EventEmitter & { template: unknown[] };

/**
 * An image drawn in code: the PNG of each scale factor, and whether it is a macOS template.
 * A test decodes the representations to check what the tray would show.
 */
export class FakeImage implements Pick<
  NativeImage,
  'isEmpty' | 'addRepresentation' | 'setTemplateImage' | 'isTemplateImage'
> {
  readonly representations: Array<{ scaleFactor: number; buffer: Buffer }> = [];
  private template = false;
  isEmpty() {
    return this.representations.length === 0;
  }
  addRepresentation(options: Parameters<NativeImage['addRepresentation']>[0]) {
    if (!options.buffer) throw new Error('the fake takes PNG buffers only');
    this.representations.push({ scaleFactor: options.scaleFactor ?? 1, buffer: options.buffer });
  }
  setTemplateImage(option: boolean) {
    this.template = option;
  }
  isTemplateImage() {
    return this.template;
  }
}

/** A window whose web contents record handlers and navigation. */
export class FakeBrowserWindow
  extends EventEmitter
  implements
    Pick<BrowserWindow, 'loadFile' | 'isDestroyed' | 'close' | 'show' | 'focus' | 'minimize'>
{
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
  loadFile(file: string): Promise<void> {
    this.loaded = file;
    return Promise.resolve();
  }
  private destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  /**
   * The window is asked to close: 'close' may prevent it; otherwise Electron destroys it, and
   * `isDestroyed()` says so from then on.
   */
  close() {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    this.emit('closed');
  }
  show = vi.fn();
  focus = vi.fn();
  minimize = vi.fn();
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
    getLoginItemSettings: vi.fn((): LoginItemSettings => ({ ...notAtLogin })),
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: vi.fn(() => Promise.resolve()),
    quit: vi.fn(),
    exit: vi.fn(),
    setAppUserModelId: vi.fn(),
    // As on Linux and Windows, where Electron has no `app.dock`; a test may set one (macOS).
    dock: undefined as { hide: ReturnType<typeof vi.fn> } | undefined,
  }) satisfies Pick<
    App,
    | 'getPath'
    | 'setPath'
    | 'isPackaged'
    | 'getVersion'
    | 'setLoginItemSettings'
    | 'getLoginItemSettings'
    | 'requestSingleInstanceLock'
    | 'whenReady'
    | 'quit'
    | 'exit'
    | 'setAppUserModelId'
  >,
  ipcMain: { handle: vi.fn(), removeHandler: vi.fn(), on: vi.fn() } satisfies Pick<
    IpcMain,
    'handle' | 'removeHandler' | 'on'
  >,
  powerMonitor: new EventEmitter(),
  net: { isOnline: vi.fn(() => true) } satisfies Pick<Net, 'isOnline'>,
  shell: {
    openExternal: vi.fn((_url: string) => Promise.resolve()),
    openPath: vi.fn((_path: string) => Promise.resolve('')),
  } satisfies Pick<Shell, 'openExternal' | 'openPath'>,
  // Reversible but not plain: the tests check the plaintext never reaches the disk.
  safeStorage: {
    isEncryptionAvailable: vi.fn(() => true),
    getSelectedStorageBackend: vi.fn(
      (): ReturnType<SafeStorage['getSelectedStorageBackend']> => 'gnome_libsecret',
    ),
    encryptString: vi.fn((text: string) => Buffer.from(`enc:${[...text].reverse().join('')}`)),
    decryptString: vi.fn((data: Buffer) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext');
      return [...text.slice(4)].reverse().join('');
    }),
  } satisfies Pick<
    SafeStorage,
    'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'
  >,
  Menu: {
    buildFromTemplate: vi.fn(
      (template: unknown[]) => Object.assign(new EventEmitter(), { template }) as unknown as Menu,
    ),
    setApplicationMenu: vi.fn(),
  } satisfies MenuStatics,
  // Like the real one, an image from a missing file is empty rather than an error.
  nativeImage: {
    createFromPath: vi.fn((file: string) => fakeImage(file)),
    createEmpty: vi.fn(() => new FakeImage()),
  } satisfies {
    createFromPath(path: string): Pick<NativeImage, 'isEmpty'>;
    createEmpty(): Pick<NativeImage, 'isEmpty' | 'addRepresentation' | 'setTemplateImage'>;
  },
};

function fakeImage(file: string): Pick<NativeImage, 'isEmpty'> & { path: string } {
  const empty = !existsSync(file);
  return { path: file, isEmpty: () => empty };
}

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
