import { describe, expect, it } from 'vitest';
import { ConfigSecretSource } from '../../app/main/cli/config-secret-source.js';
import type { AccountSettings } from '../../app/common/settings-schema.js';

function account(overrides: Partial<AccountSettings>): AccountSettings {
  return {
    id: 'a',
    host: 'h',
    user: 'u',
    tls: 'implicit',
    mailboxes: ['INBOX'],
    allowInsecureAuth: false,
    ...overrides,
  };
}

describe('ConfigSecretSource', () => {
  it('returns a literal password', async () => {
    await expect(
      new ConfigSecretSource([account({ password: 'p' })]).getPassword('a'),
    ).resolves.toBe('p');
  });

  it('reads the named environment variable', async () => {
    const source = new ConfigSecretSource([account({ passwordEnv: 'PW' })], { PW: 'from-env' });
    await expect(source.getPassword('a')).resolves.toBe('from-env');
  });

  it('runs passwordCommand once and strips one trailing newline', async () => {
    const source = new ConfigSecretSource([
      account({ passwordCommand: 'echo "s3cret  "; echo x >&2' }),
    ]);
    await expect(source.getPassword('a')).resolves.toBe('s3cret  ');
  });

  it('reports a failing passwordCommand by exit status without its output', async () => {
    const source = new ConfigSecretSource([account({ passwordCommand: 'echo leaked; exit 3' })]);
    const failure = source.getPassword('a');
    await expect(failure).rejects.toMatchObject({
      code: 'config',
      message: 'passwordCommand exited with status 3',
    });
  });
});
