import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../support/electron-fake.js')).electronModule());
const { SettingsStore } = await import('../../app/main/electron/settings-store.js');
const { decryptPassword, encryptPassword } =
  await import('../../app/main/electron/safe-storage-secrets.js');
const { seedAccount, seedAccountFile } = await import('../../app/main/electron/seed-account.js');

const demo = {
  id: 'demo',
  host: '127.0.0.1',
  port: 1143,
  tls: 'none' as const,
  allowInsecureAuth: true,
  user: 'demo',
  password: 'demo-password',
  mailboxes: ['INBOX'],
};

function setup(seed: unknown) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-seed-'));
  const file = path.join(dir, 'seed.json');
  writeFileSync(file, typeof seed === 'string' ? seed : JSON.stringify(seed));
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (line: string) => warnings.push(line), error() {} };
  const store = new SettingsStore({ cwd: dir });
  return { file, store, warnings, seed: () => seedAccount(store, file, encryptPassword, logger) };
}

describe('--seed-account', () => {
  it('finds the file on the command line', () => {
    expect(seedAccountFile(['electron', '.', '--seed-account=/tmp/a.json'])).toBe('/tmp/a.json');
    expect(seedAccountFile(['electron', '.', '--hidden'])).toBeUndefined();
  });

  it('adds the account with its password encrypted, once, and never overwrites it', () => {
    const { store, seed } = setup({ account: demo });
    expect(seed()).toBe(true);
    expect(store.engineSettings().accounts.map((a) => a.id)).toEqual(['demo']);
    expect(decryptPassword(store.passwordCipher('demo') ?? '')).toBe('demo-password');
    store.saveAccount(
      { originalId: 'demo', account: { ...demo, name: 'Mine', password: undefined } },
      encryptPassword,
    );
    expect(seed()).toBe(false);
    expect(store.engineSettings().accounts[0]?.name).toBe('Mine');
  });

  it.each([
    ['not JSON', '{"account":', /not valid JSON$/],
    ['not JSON around a password', '{"password":hunter2-top-secret}', /not valid JSON$/],
    [
      'a password command',
      { account: { ...demo, password: undefined, passwordCommand: 'x' } },
      /passwordCommand/,
    ],
    ['an edit', { originalId: 'work', account: demo }, /originalId/],
    ['no password', { account: { ...demo, password: undefined } }, /enter the password/],
  ])(
    'refuses %s with a warning naming the problem, and adds nothing',
    (_what, seedJson, problem) => {
      const { store, seed, warnings } = setup(seedJson);
      expect(seed()).toBe(false);
      expect(store.engineSettings().accounts).toEqual([]);
      expect(warnings).toEqual([expect.stringMatching(problem)]);
      expect(warnings.join('')).not.toContain('hunter2');
    },
  );
});
