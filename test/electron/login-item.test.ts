import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { autostartFile, setStartAtLogin } = await import('../../app/main/electron/login-item.js');

const saved = process.env.XDG_CONFIG_HOME;
afterEach(() => {
  process.env.XDG_CONFIG_HOME = saved;
});

describe('start at login', () => {
  it('writes and removes an XDG autostart entry on Linux', () => {
    process.env.XDG_CONFIG_HOME = mkdtempSync(path.join(tmpdir(), 'tidings-xdg-'));
    const file = autostartFile();
    setStartAtLogin(true, 'linux');
    const entry = readFileSync(file, 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Tidings\n/);
    expect(entry).toContain(`Exec="${process.execPath}" --hidden`);
    setStartAtLogin(false, 'linux');
    expect(existsSync(file)).toBe(false);
  });

  it("uses Electron's login items on macOS and Windows", () => {
    setStartAtLogin(true, 'darwin');
    setStartAtLogin(false, 'win32');
    expect(fake.app.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: true, openAsHidden: true }],
      [{ openAtLogin: false, openAsHidden: true }],
    ]);
  });
});
