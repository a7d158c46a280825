/**
 * app/main/index.ts with a mocked electron module and a real engine against Dovecot: one
 * instance only, the settings window on first run, IPC wired to the real settings store with
 * sender checks, and a quit that says LOGOUT on every connection before letting Electron go.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { FakeBrowserWindow, FakeTray, fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());

type Handler = (
  event: IpcMainInvokeEvent,
  payload?: unknown,
) => Promise<{ ok: boolean; value?: unknown }>;

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot({ ann: 'pw-Secret-7781' });
});
afterAll(async () => {
  await dovecot?.stop();
});
beforeEach(() => {
  fake.app.removeAllListeners();
  fake.app.quit.mockClear();
  fake.ipcMain.handle.mockClear();
  FakeTray.made.length = 0;
  FakeBrowserWindow.made.length = 0;
  fake.app.isPackaged = false;
});

function handler(channel: string): Handler {
  const call = fake.ipcMain.handle.mock.calls.find(([name]) => name === channel);
  if (!call) throw new Error(`no handler for ${channel}`);
  return call[1] as Handler;
}

describe('the composition root', () => {
  it('quits at once when another instance holds the lock', async () => {
    fake.app.requestSingleInstanceLock.mockReturnValueOnce(false);
    // Each test evaluates the module afresh: a query string makes a new module instance.
    // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
    await import('../../app/main/index.ts?second-instance');
    expect(fake.app.quit).toHaveBeenCalledOnce();
    expect(fake.app.whenReady).not.toHaveBeenCalled();
  });

  it('starts as a tray app, saves and watches an account set up through IPC, and logs out on quit', async () => {
    // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
    await import('../../app/main/index.ts?first-instance');
    await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    // Linux has no app.dock; the macOS-only call must not trip over that.
    // First run, no accounts: the settings window opens.
    const window = FakeBrowserWindow.made.at(-1);
    expect(window?.loaded).toMatch(/\/renderer\/index\.html$/);
    const ours = {
      sender: window?.webContents,
      senderFrame: window?.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;
    const stranger = { sender: {}, senderFrame: {} } as unknown as IpcMainInvokeEvent;

    await expect(handler('settings:get')(stranger)).resolves.toMatchObject({ ok: false });
    const account = {
      id: 'ann',
      host: dovecot.host,
      port: dovecot.port,
      tls: 'none',
      allowInsecureAuth: true,
      user: 'ann',
      password: 'pw-Secret-7781',
      mailboxes: ['INBOX'],
    };
    const tested = await handler('account:test')(ours, { account });
    expect(tested).toEqual({ ok: true, value: { ok: true, mailboxes: ['INBOX'] } });
    const saved = await handler('account:save')(ours, { account });
    expect(saved).toMatchObject({
      ok: true,
      value: { accounts: [{ id: 'ann', hasPassword: true }] },
    });
    expect(JSON.stringify(saved)).not.toContain('pw-Secret');

    // The stored password goes only where it was saved for: a test against another server
    // without a new password is refused before anything connects there.
    const elsewhere = net.createServer((socket) => socket.end('* OK listening for passwords\r\n'));
    let connections = 0;
    elsewhere.on('connection', () => connections++);
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const moved = {
      ...account,
      port: (elsewhere.address() as net.AddressInfo).port,
      password: undefined,
    };
    const refused = await handler('account:test')(ours, { originalId: 'ann', account: moved });
    expect(refused).toMatchObject({
      ok: false,
      error: { fields: { password: expect.stringMatching(/enter the password again/) } },
    });
    expect(connections).toBe(0);
    elsewhere.close();
    const unchanged = { ...account, password: undefined };
    await expect(
      handler('account:test')(ours, { originalId: 'ann', account: unchanged }),
    ).resolves.toEqual({ ok: true, value: { ok: true, mailboxes: ['INBOX'] } });

    // The tray shows the account once its watcher is idle.
    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(
      () => expect(tray.menu?.template[0]).toMatchObject({ label: 'ann — no unread mail' }),
      {
        timeout: 10_000,
      },
    );
    expect(tray.tooltip).toBe('Tidings — 0 new · 0 unread');
    // The icons are where the app looks for them: an image from a missing file is empty.
    expect((tray.image as { isEmpty(): boolean }).isEmpty()).toBe(false);

    // No default menu (Reload, Toggle DevTools) and no DevTools in the window.
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalledWith(null);
    expect(window?.options).toMatchObject({ webPreferences: { devTools: true } });
    // "Show log" opens the log file, which says what happened and holds no password.
    const showLog = (tray.menu?.template as Array<{ label?: string; click?: () => void }>).find(
      (item) => item.label === 'Show log',
    );
    showLog?.click?.();
    const logFile = path.join(fake.userData, 'logs', 'tidings.log');
    expect(fake.shell.openPath).toHaveBeenCalledWith(logFile);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/info Tidings 0\.1\.0 starting/);
    expect(log).not.toContain('pw-Secret');

    const quitting = { preventDefault: vi.fn() };
    fake.app.emit('before-quit', quitting);
    expect(quitting.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
    await dovecot.waitForLog(/imap\(ann\).*Disconnected: Logged out/);
    expect(tray.destroyed).toBe(true);
  });

  it('starting at login stays in the tray; a second launch, and one after the window closed, opens it', async () => {
    const seed = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-seed-')), 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        account: {
          id: 'seeded',
          host: dovecot.host,
          port: dovecot.port,
          tls: 'none',
          allowInsecureAuth: true,
          user: 'ann',
          password: 'pw-Secret-7781',
          mailboxes: ['INBOX'],
        },
      }),
    );
    const argv = process.argv;
    process.argv = [...argv, '--hidden', `--seed-account=${seed}`];
    try {
      // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
      await import('../../app/main/index.ts?login-start');
      await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    } finally {
      process.argv = argv;
    }
    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(
      () =>
        expect(tray.menu?.template).toContainEqual(
          expect.objectContaining({ label: 'seeded — no unread mail' }),
        ),
      { timeout: 10_000 },
    );
    // --hidden with an account to watch: no window.
    expect(FakeBrowserWindow.made).toEqual([]);

    // As a packaged app would be from here on: its windows get no DevTools.
    fake.app.isPackaged = true;
    fake.app.emit('second-instance');
    expect(FakeBrowserWindow.made).toHaveLength(1);
    const first = FakeBrowserWindow.made[0] as FakeBrowserWindow;
    // Packaged: no DevTools.
    expect(first.options).toMatchObject({ webPreferences: { devTools: false } });
    fake.app.emit('second-instance');
    expect(FakeBrowserWindow.made).toHaveLength(1);
    expect(first.focus).toHaveBeenCalled();

    // Only our window's main frame may call main: not a subframe of it, not a frameless sender.
    const from = (senderFrame: unknown) =>
      ({ sender: first.webContents, senderFrame }) as unknown as IpcMainInvokeEvent;
    await expect(handler('settings:get')(from(first.webContents.mainFrame))).resolves.toMatchObject(
      { ok: true },
    );
    const otherContents = {
      sender: { mainFrame: first.webContents.mainFrame },
      senderFrame: first.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;
    for (const event of [from({}), from(null), otherContents]) {
      await expect(handler('settings:get')(event)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid-request', message: expect.stringMatching(/unknown sender/) },
      });
    }

    // Closed, the window is gone; the next launch makes a new one, and IPC follows it.
    first.close();
    await expect(handler('settings:get')(from(first.webContents.mainFrame))).resolves.toMatchObject(
      { ok: false },
    );
    fake.app.emit('second-instance');
    expect(FakeBrowserWindow.made).toHaveLength(2);
    const second = FakeBrowserWindow.made[1] as FakeBrowserWindow;
    const fromSecond = {
      sender: second.webContents,
      senderFrame: second.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;
    await expect(handler('settings:get')(fromSecond)).resolves.toMatchObject({ ok: true });

    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });

  it('says in the tray that the last run crashed, and answers About with the version and why there are no updates', async () => {
    writeFileSync(
      path.join(fake.userData, 'crash-note.json'),
      JSON.stringify({ at: '2026-12-06T14:02:00.000Z', message: 'TypeError: boom' }),
    );
    // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
    await import('../../app/main/index.ts?after-crash');
    await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(() => expect(tray.menu).not.toBeNull());
    const items = tray.menu?.template as Array<{ label?: string; enabled?: boolean }>;
    expect(items[0]).toMatchObject({
      label: expect.stringMatching(/^Recovered from a crash at .+ — see Show log$/) as string,
      enabled: false,
    });
    expect(items.at(-2)).toEqual({ label: 'Tidings 0.1.0', enabled: false });
    expect(existsSync(path.join(fake.userData, 'crash-note.json'))).toBe(false);
    const window = FakeBrowserWindow.made.at(-1);
    const ours = {
      sender: window?.webContents,
      senderFrame: window?.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;
    await expect(handler('about:get')(ours)).resolves.toMatchObject({
      ok: true,
      value: {
        version: '0.1.0',
        logPath: path.join(fake.userData, 'logs', 'tidings.log'),
        update: { state: 'off', reason: 'a development build: no updates' },
      },
    });
    await expect(handler('update:restart')(ours)).resolves.toEqual({
      ok: true,
      value: { restarting: false },
    });
    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });

  it('ignores the demo and test hooks when packaged: no seeded account, no other data directory', async () => {
    const seed = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-seed-')), 'seed.json');
    const account = { id: 'planted', host: dovecot.host, port: dovecot.port, tls: 'none' };
    writeFileSync(
      seed,
      JSON.stringify({
        account: { ...account, allowInsecureAuth: true, user: 'ann', password: 'x' },
      }),
    );
    const argv = process.argv;
    process.argv = [...argv, `--seed-account=${seed}`];
    process.env.TIDINGS_USER_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tidings-elsewhere-'));
    fake.app.isPackaged = true;
    fake.app.setPath.mockClear();
    try {
      // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
      await import('../../app/main/index.ts?packaged');
      await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    } finally {
      process.argv = argv;
      delete process.env.TIDINGS_USER_DATA_DIR;
    }
    expect(fake.app.setPath).not.toHaveBeenCalled();
    const settings = readFileSync(path.join(fake.userData, 'settings.json'), 'utf8');
    expect(settings).not.toContain('planted');
    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });
});
