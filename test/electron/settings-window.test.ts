import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { applicationMenuTemplate, openSettingsWindow, settingsWindowOptions } =
  await import('../../app/main/electron/settings-window.js');

const paths = { preload: '/p.cjs', html: '/r/index.html', devTools: false };

describe('settings window', () => {
  it('is isolated, sandboxed and without Node integration', () => {
    const { webPreferences } = settingsWindowOptions('/app/preload/index.cjs', false);
    expect(webPreferences).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('opens DevTools only when asked to (an unpackaged app), never by default', () => {
    expect(settingsWindowOptions('/p.cjs', true).webPreferences?.devTools).toBe(true);
    const window = openSettingsWindow(null, paths) as unknown as FakeBrowserWindow;
    expect(window.options).toMatchObject({ webPreferences: { devTools: false } });
  });

  it('has no application menu (no Reload or DevTools shortcuts) but the Edit menu on macOS', () => {
    expect(applicationMenuTemplate('linux')).toBeNull();
    expect(applicationMenuTemplate('win32')).toBeNull();
    expect(applicationMenuTemplate('darwin')).toEqual([{ role: 'appMenu' }, { role: 'editMenu' }]);
  });

  it('denies permissions, navigation and new windows, and loads the local page', () => {
    const window = openSettingsWindow(null, paths) as unknown as FakeBrowserWindow;
    expect(window.loaded).toBe('/r/index.html');

    const [[requestHandler]] = window.session.setPermissionRequestHandler.mock.calls as [
      [(contents: unknown, permission: string, callback: (granted: boolean) => void) => void],
    ];
    const decisions: boolean[] = [];
    requestHandler({}, 'notifications', (granted: boolean) => decisions.push(granted));
    requestHandler({}, 'media', (granted: boolean) => decisions.push(granted));
    expect(decisions).toEqual([false, false]);
    const [[checkHandler]] = window.session.setPermissionCheckHandler.mock.calls as [
      [(contents: unknown, permission: string) => boolean],
    ];
    expect(checkHandler({}, 'clipboard-read')).toBe(false);

    const [[openHandler]] = window.webContents.setWindowOpenHandler.mock.calls as [
      [(details: { url: string }) => unknown],
    ];
    expect(openHandler({ url: 'https://evil.test' })).toEqual({ action: 'deny' });
    const navigation = { preventDefault: vi.fn() };
    window.webContents.emit('will-navigate', navigation, 'https://evil.test');
    expect(navigation.preventDefault).toHaveBeenCalled();
  });

  it('focuses the window that is already open instead of making a second', () => {
    const first = openSettingsWindow(null, paths);
    const count = FakeBrowserWindow.made.length;
    expect(openSettingsWindow(first, paths)).toBe(first);
    expect(FakeBrowserWindow.made.length).toBe(count);
    expect((first as unknown as FakeBrowserWindow).focus).toHaveBeenCalled();
  });

  it('minimizes instead of closing while keepOnClose says so (a desktop without tray icons)', () => {
    let keep = true;
    const window = openSettingsWindow(null, {
      ...paths,
      keepOnClose: () => keep,
    }) as unknown as FakeBrowserWindow;
    window.close();
    expect(window.minimize).toHaveBeenCalledOnce();
    expect(window.isDestroyed()).toBe(false);
    keep = false;
    window.close();
    expect(window.isDestroyed()).toBe(true);
  });
});
