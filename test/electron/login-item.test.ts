import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fake, notAtLogin } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { autostartFile, desktopExecArgument, setStartAtLogin, startedAtLogin } =
  await import('../../app/main/electron/login-item.js');

// The reading side of the Desktop Entry Specification's Exec rules, written from the spec:
// string escapes first (\s \n \t \r \\), then quoting (\" \` \$ \\ inside "…"), then %%.
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\([\\nstr])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === 's' ? ' ' : '\\',
  );
  const args: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i] ?? '';
    if (quoted && c === '\\' && /["`$\\]/.test(unescaped[i + 1] ?? '')) current += unescaped[++i];
    else if (c === '"') quoted = !quoted;
    else if (c !== ' ' || quoted) current += c;
    else if (current) {
      args.push(current);
      current = '';
    }
  }
  if (current) args.push(current);
  return args.map((arg) => arg.replace(/%%/g, '%'));
}

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

  it('escapes the executable path in Exec as the Desktop Entry Specification says', () => {
    const hostile = '/opt/My "Apps"/$HOME/`id`/a\\b/100%/new\nline/tidings';
    expect(desktopExecArgument(hostile)).toBe(
      '"/opt/My \\\\"Apps\\\\"/\\\\$HOME/\\\\`id\\\\`/a\\\\\\\\b/100%%/new\\nline/tidings"',
    );
    expect(parseExec(`${desktopExecArgument(hostile)} --hidden`)).toEqual([hostile, '--hidden']);
    expect(parseExec(desktopExecArgument('/usr/bin/tidings'))).toEqual(['/usr/bin/tidings']);
  });

  it("uses Electron's login items on macOS and Windows, Windows starting with --hidden", () => {
    fake.app.setLoginItemSettings.mockClear();
    setStartAtLogin(true, 'darwin');
    setStartAtLogin(true, 'win32');
    setStartAtLogin(false, 'win32');
    expect(fake.app.setLoginItemSettings.mock.calls).toEqual([
      // No openAsHidden: deprecated, and ignored from macOS 13 on.
      [{ openAtLogin: true }],
      [{ openAtLogin: true, args: ['--hidden'] }],
      [{ openAtLogin: false, args: ['--hidden'] }],
    ]);
  });

  it('tells a login start from a start by the user on every platform', () => {
    expect(startedAtLogin(['tidings', '--hidden'], 'win32')).toBe(true);
    expect(startedAtLogin(['tidings', '--hidden'], 'linux')).toBe(true);
    expect(startedAtLogin(['tidings'], 'win32')).toBe(false);
    expect(startedAtLogin(['tidings'], 'linux')).toBe(false);
    // macOS passes no arguments to a login item: it says so through wasOpenedAtLogin.
    expect(startedAtLogin(['Tidings'], 'darwin')).toBe(false);
    fake.app.getLoginItemSettings.mockReturnValueOnce({
      ...notAtLogin,
      openAtLogin: true,
      wasOpenedAtLogin: true,
    });
    expect(startedAtLogin(['Tidings'], 'darwin')).toBe(true);
  });
});
