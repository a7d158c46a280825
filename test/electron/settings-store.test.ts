import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AccountInput } from '../../app/common/ipc-contract.js';
import { fake } from '../support/electron-fake.js';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { decryptPassword, encryptPassword, secretStorageWarning } =
  await import('../../app/main/electron/safe-storage-secrets.js');

const work: AccountInput = {
  account: {
    id: 'work',
    host: 'imap.example.test',
    tls: 'implicit',
    user: 'ann',
    password: 'hunter2-secret',
    mailboxes: ['INBOX'],
    allowInsecureAuth: false,
  },
};

function fresh() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tidings-settings-'));
  return { cwd, store: new SettingsStore({ cwd }) };
}

describe('SettingsStore', () => {
  it('stores the password only as safeStorage ciphertext, and never shows it to the window', () => {
    const { cwd, store } = fresh();
    expect(store.saveAccount(work, encryptPassword)).toEqual({ ok: true, value: undefined });
    const onDisk = readFileSync(path.join(cwd, 'settings.json'), 'utf8');
    expect(onDisk).not.toContain('hunter2-secret');
    expect(decryptPassword(store.passwordCipher('work') ?? '')).toBe('hunter2-secret');
    const view = store.view(null);
    expect(view.accounts).toEqual([expect.objectContaining({ id: 'work', hasPassword: true })]);
    expect(JSON.stringify(view)).not.toContain('hunter2');
    expect(JSON.stringify(view)).not.toContain(store.passwordCipher('work'));
    expect(store.engineSettings().accounts[0]).not.toHaveProperty('passwordCipher');
  });

  it('keeps the stored password when an edit leaves the field empty, and follows a rename', () => {
    const { store } = fresh();
    store.saveAccount(work, encryptPassword);
    const renamed: AccountInput = {
      originalId: 'work',
      account: { ...work.account, id: 'office', name: 'Office', password: undefined },
    };
    expect(store.saveAccount(renamed, encryptPassword).ok).toBe(true);
    expect(store.engineSettings().accounts.map((a) => [a.id, a.name])).toEqual([
      ['office', 'Office'],
    ]);
    expect(decryptPassword(store.passwordCipher('office') ?? '')).toBe('hunter2-secret');
  });

  it.each([
    ['host', { host: 'imap.attacker.test' }],
    ['port', { port: 1993 }],
    ['TLS mode', { tls: 'none' as const, allowInsecureAuth: true }],
    ['user', { user: 'bob' }],
    ['certificate pin', { certificateFingerprint: 'AB'.repeat(32) }],
    ['CA file', { caFile: '/tmp/attacker-ca.pem' }],
  ])(
    'asks for the password again when an edit changes the %s, instead of sending it there',
    (_what, change) => {
      const { store } = fresh();
      store.saveAccount(work, encryptPassword);
      const edit: AccountInput = {
        originalId: 'work',
        account: { ...work.account, ...change, password: undefined },
      };
      expect(store.reusablePasswordCipher(edit)).toBeUndefined();
      expect(store.saveAccount(edit, encryptPassword)).toMatchObject({
        ok: false,
        error: { fields: { password: expect.stringMatching(/enter the password again/) } },
      });
      // Nothing was written: the account still points where its password belongs.
      expect(store.engineSettings().accounts[0]?.host).toBe('imap.example.test');
      const withPassword = { ...edit, account: { ...edit.account, password: 'for-the-new-one' } };
      expect(store.saveAccount(withPassword, encryptPassword).ok).toBe(true);
      expect(decryptPassword(store.passwordCipher('work') ?? '')).toBe('for-the-new-one');
    },
  );

  it('reuses the stored password for the same server whatever the host name case or port spelling', () => {
    const { store } = fresh();
    const pinned = 'ab:'.repeat(31) + 'ab';
    store.saveAccount(
      { account: { ...work.account, certificateFingerprint: pinned } },
      encryptPassword,
    );
    const same: AccountInput = {
      originalId: 'work',
      account: {
        ...work.account,
        host: 'IMAP.Example.TEST.',
        port: 993,
        certificateFingerprint: 'AB'.repeat(32),
        password: undefined,
      },
    };
    expect(store.reusablePasswordCipher(same)).toBe(store.passwordCipher('work'));
    // Only the account being edited lends its password: a new account never does.
    expect(store.reusablePasswordCipher({ account: same.account })).toBeUndefined();
  });

  it('refuses a new account whose id is taken instead of overwriting the old one', () => {
    const { store } = fresh();
    store.saveAccount(work, encryptPassword);
    const newcomer: AccountInput = {
      account: { ...work.account, host: 'imap.other.test', password: undefined },
    };
    expect(store.saveAccount(newcomer, encryptPassword)).toMatchObject({
      ok: false,
      error: { fields: { id: '"work" is already the id of another account' } },
    });
    expect(store.engineSettings().accounts.map((a) => a.host)).toEqual(['imap.example.test']);
  });

  it('refuses an edit of an account that no longer exists', () => {
    const { store } = fresh();
    const edit: AccountInput = { originalId: 'gone', account: work.account };
    expect(store.saveAccount(edit, encryptPassword)).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(store.engineSettings().accounts).toEqual([]);
  });

  it('refuses a new account without a password, and a duplicate id', () => {
    const { store } = fresh();
    const noPassword = { account: { ...work.account, password: undefined } };
    expect(store.saveAccount(noPassword, encryptPassword)).toMatchObject({
      ok: false,
      error: { fields: { password: 'enter the password' } },
    });
    store.saveAccount(work, encryptPassword);
    const other = { account: { ...work.account, id: 'home' } };
    store.saveAccount(other, encryptPassword);
    const clash = { originalId: 'home', account: { ...other.account, id: 'work' } };
    expect(store.saveAccount(clash, encryptPassword)).toMatchObject({
      ok: false,
      error: { fields: { id: expect.any(String) } },
    });
  });

  it('keeps settings readable by the user alone, also a file an older version left open', () => {
    const previous = process.umask(0o022);
    try {
      const parent = mkdtempSync(path.join(tmpdir(), 'tidings-settings-'));
      const cwd = path.join(parent, 'userData');
      const store = new SettingsStore({ cwd });
      store.saveAccount(work, encryptPassword);
      expect(statSync(path.join(cwd, 'settings.json')).mode & 0o777).toBe(0o600);
      expect(statSync(cwd).mode & 0o777).toBe(0o700);
      chmodSync(path.join(cwd, 'settings.json'), 0o644);
      new SettingsStore({ cwd });
      expect(statSync(path.join(cwd, 'settings.json')).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('keeps the tray as it was for a file from before the tray options, and saves them', () => {
    const { cwd, store } = fresh();
    expect(store.tray).toEqual({ countInIcon: false, count: 'unread' });
    expect(store.view(null).tray).toEqual({ countInIcon: false, count: 'unread' });
    store.savePreferences({
      notifications: { burstThreshold: 5, sound: true, showSubject: true, preview: true },
      startAtLogin: false,
      checkForUpdates: true,
      tray: { countInIcon: true, count: 'new' },
    });
    expect(new SettingsStore({ cwd }).tray).toEqual({ countInIcon: true, count: 'new' });
  });

  it('survives a restart, and keeps an unreadable file aside instead of crashing', () => {
    const { cwd, store } = fresh();
    store.saveAccount(work, encryptPassword);
    store.savePreferences({
      notifications: { burstThreshold: 9, sound: false, showSubject: false, preview: false },
      startAtLogin: true,
      checkForUpdates: false,
      tray: { countInIcon: false, count: 'unread' },
    });
    const again = new SettingsStore({ cwd });
    expect(again.engineSettings().notifications).toEqual({
      burstThreshold: 9,
      sound: false,
      showSubject: false,
      preview: false,
    });
    expect(again.startAtLogin).toBe(true);
    expect(again.checkForUpdates).toBe(false);
    // A file from before update checks existed checks for updates.
    expect(fresh().store.checkForUpdates).toBe(true);

    writeFileSync(path.join(cwd, 'settings.json'), JSON.stringify({ accounts: [{ id: 42 }] }));
    const problems: string[][] = [];
    const reset = new SettingsStore({ cwd, onInvalid: (p) => problems.push(p) });
    expect(reset.engineSettings().accounts).toEqual([]);
    expect(problems[0]?.join('\n')).toMatch(/accounts\[0\]/);
    expect(readdirSync(cwd).some((file) => file.startsWith('settings.json.invalid-'))).toBe(true);
  });
});

describe('SettingsStore with a damaged file', () => {
  it('keeps a settings file that is not JSON aside and opens empty instead of crashing', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'tidings-settings-'));
    writeFileSync(path.join(cwd, 'settings.json'), '{"accounts": [');
    const problems: string[][] = [];
    const store = new SettingsStore({ cwd, onInvalid: (p) => problems.push(p) });
    expect(store.engineSettings().accounts).toEqual([]);
    expect(problems).toEqual([
      [expect.stringMatching(/^not valid JSON: kept as .*settings\.json\.invalid-/)],
    ]);
    expect(readdirSync(cwd).some((file) => file.startsWith('settings.json.invalid-'))).toBe(true);
  });
});

describe('secretStorageWarning', () => {
  it('warns on Linux when safeStorage falls back to basic_text, and not otherwise', () => {
    expect(secretStorageWarning('linux')).toBeNull();
    fake.safeStorage.getSelectedStorageBackend.mockReturnValueOnce('basic_text');
    expect(secretStorageWarning('linux')).toMatch(/not encrypted/);
    fake.safeStorage.isEncryptionAvailable.mockReturnValueOnce(false);
    expect(secretStorageWarning('darwin')).toMatch(/cannot be stored encrypted/);
  });

  it('names a stored password that no longer decrypts', () => {
    expect(() => decryptPassword(Buffer.from('garbage').toString('base64'))).toThrow(
      /enter it again/,
    );
  });
});
