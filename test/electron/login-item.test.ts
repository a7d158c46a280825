import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { autostartFile, desktopExecArgument, setStartAtLogin } =
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

  it("uses Electron's login items on macOS and Windows", () => {
    setStartAtLogin(true, 'darwin');
    setStartAtLogin(false, 'win32');
    expect(fake.app.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: true, openAsHidden: true }],
      [{ openAtLogin: false, openAsHidden: true }],
    ]);
  });
});
