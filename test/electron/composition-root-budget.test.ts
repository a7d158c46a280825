/**
 * app/main/index.ts with a mocked electron module and the real engine against Dovecot: the
 * settings window's "Test connection" counts against the watched account's connection
 * budget. With `maxConnections: 1` held by the watcher, the test waits, the window is told
 * why (an `account:test-progress` event), and closing the window ends the wait.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { FakeBrowserWindow, FakeTray, fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());

type Handler = (event: IpcMainInvokeEvent, payload?: unknown) => Promise<unknown>;

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot({ ann: 'pw-Budget-1' });
});
afterAll(async () => {
  await dovecot?.stop();
});

function handler(channel: string): Handler {
  const call = fake.ipcMain.handle.mock.calls.find(([name]) => name === channel);
  if (!call) throw new Error(`no handler for ${channel}`);
  return call[1] as Handler;
}

describe('the composition root and the connection budget', () => {
  it("makes Test connection wait for the watcher's only connection, tells the window, and stops waiting when it closes", async () => {
    const seed = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-seed-')), 'seed.json');
    const account = {
      id: 'limited',
      host: dovecot.host,
      port: dovecot.port,
      tls: 'none',
      allowInsecureAuth: true,
      user: 'ann',
      password: 'pw-Budget-1',
      mailboxes: ['INBOX'],
      maxConnections: 1,
    };
    writeFileSync(seed, JSON.stringify({ account }));
    const argv = process.argv;
    process.argv = [...argv, '--hidden', `--seed-account=${seed}`];
    try {
      // @ts-expect-error -- TypeScript cannot resolve a query string; vite makes it a new instance.
      await import('../../app/main/index.ts?budget');
      await vi.waitFor(() => expect(FakeTray.made).toHaveLength(1));
    } finally {
      process.argv = argv;
    }
    const tray = FakeTray.made[0] as FakeTray;
    await vi.waitFor(
      () =>
        expect(tray.menu?.template).toContainEqual(
          expect.objectContaining({ label: 'limited — no unread mail' }),
        ),
      { timeout: 10_000 },
    );
    fake.app.emit('second-instance');
    const window = FakeBrowserWindow.made.at(-1) as FakeBrowserWindow;
    const ours = {
      sender: window.webContents,
      senderFrame: window.webContents.mainFrame,
    } as unknown as IpcMainInvokeEvent;

    // The stored password, the same server: the test is the account's second connection.
    const { password: _password, ...unchanged } = account;
    const test = handler('account:test')(ours, { originalId: 'limited', account: unchanged });
    await vi.waitFor(() =>
      expect(window.webContents.send).toHaveBeenCalledWith('account:test-progress', {
        message: 'Waiting for a free connection: this account may use 1 at once (maxConnections)…',
      }),
    );
    window.close();
    await expect(test).resolves.toEqual({
      ok: true,
      value: { ok: false, code: 'cancelled', message: 'the settings window closed' },
    });
    // Never logged in a second time: the watcher's is the only login Dovecot saw.
    await dovecot.waitForLog(/Login: user=<ann>/);
    const log = readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
    expect(log.match(/Login: user=<ann>/g)).toHaveLength(1);

    fake.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(fake.app.quit).toHaveBeenCalled(), { timeout: 5_000 });
  });
});
