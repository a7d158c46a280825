import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { openSettingsWindow, settingsWindowOptions } =
  await import('../../app/main/electron/settings-window.js');

describe('settings window', () => {
  it('is isolated, sandboxed and without Node integration', () => {
    const { webPreferences } = settingsWindowOptions('/app/preload/index.cjs');
    expect(webPreferences).toMatchObject({
      preload: '/app/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies permissions, navigation and new windows, and loads the local page', () => {
    const window = openSettingsWindow(null, {
      preload: '/p.cjs',
      html: '/r/index.html',
    }) as unknown as FakeBrowserWindow;
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
    const first = openSettingsWindow(null, { preload: '/p.cjs', html: '/r/index.html' });
    const count = FakeBrowserWindow.made.length;
    expect(openSettingsWindow(first, { preload: '/p.cjs', html: '/r/index.html' })).toBe(first);
    expect(FakeBrowserWindow.made.length).toBe(count);
    expect((first as unknown as FakeBrowserWindow).focus).toHaveBeenCalled();
  });
});
