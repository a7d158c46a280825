/**
 * What a config reload hands the secret source and the credentials: unchanged accounts keep
 * what they remembered (no second passwordCommand prompt), changed ones ask anew, removed
 * ones are gone. Real commands, run through the shell.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema, type Settings } from '../../../app/common/settings-schema.js';
import { createConfigCredentials } from '../../../app/main/cli/credentials/config-credentials.js';
import { ConfigSecretSource } from '../../../app/main/cli/credentials/config-secret-source.js';
import { TokenFile } from '../../../app/main/cli/credentials/token-file.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { quote } from '../../support/hook-script.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'tidings-update-'));

/** A command printing `answer` that counts its runs in `runs`. */
const counted = (runs: string, answer: string) =>
  `echo run >> ${quote(runs)}; echo ${quote(answer)}`;
const runsIn = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

function settings(accounts: Array<Record<string, unknown>>): Settings {
  return settingsSchema.parse({
    accounts: accounts.map((extra) => ({ host: '127.0.0.1', user: 'ann', ...extra })),
  });
}

describe('config reload of secrets and credentials', () => {
  it('keeps an unchanged passwordCommand answer, asks a changed command, and drops a removed account', async () => {
    const runs = path.join(dir(), 'runs');
    const first = settings([{ id: 'work', passwordCommand: counted(runs, 'one') }]);
    const secrets = new ConfigSecretSource(first.accounts);
    expect(await secrets.getPassword('work')).toBe('one');

    secrets.update(settings([{ id: 'work', passwordCommand: counted(runs, 'one') }]).accounts);
    expect(await secrets.getPassword('work')).toBe('one');
    expect(runsIn(runs)).toBe(1);

    secrets.update(settings([{ id: 'work', passwordCommand: counted(runs, 'two') }]).accounts);
    expect(await secrets.getPassword('work')).toBe('two');
    expect(runsIn(runs)).toBe(2);

    secrets.update(settings([{ id: 'home', password: 'literal' }]).accounts);
    expect(await secrets.getPassword('home')).toBe('literal');
    await expect(secrets.getPassword('work')).rejects.toThrow('no account "work" in the config');
  });

  it('gives an account turned to OAuth2 by a reload its token command, and the others their passwords', async () => {
    const state = dir();
    const tokenFile = new TokenFile(state, silentLogger);
    const before = settings([
      { id: 'work', password: 'pw' },
      { id: 'home', password: 'home-pw' },
    ]);
    const secrets = new ConfigSecretSource(before.accounts);
    const tokens = createConfigCredentials({ settings: before, secrets, tokenFile });
    expect(await tokens.credentials.getCredentials('work')).toEqual({
      kind: 'password',
      password: 'pw',
    });

    const after = settings([
      { id: 'work', auth: 'oauth2', accessTokenCommand: 'echo access-token' },
      { id: 'home', password: 'home-pw' },
    ]);
    secrets.update(after.accounts);
    tokens.update(after);
    expect(await tokens.credentials.getCredentials('work')).toEqual({
      kind: 'oauth2',
      accessToken: 'access-token',
    });
    expect(await tokens.credentials.getCredentials('home')).toEqual({
      kind: 'password',
      password: 'home-pw',
    });

    // And back: the token source is gone with the OAuth2 settings.
    secrets.update(before.accounts);
    tokens.update(before);
    expect(await tokens.credentials.getCredentials('work')).toEqual({
      kind: 'password',
      password: 'pw',
    });
  });
});
