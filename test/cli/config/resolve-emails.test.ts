import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountResolverFromEnv } from '../../../app/main/cli/config/autoconfig-env.js';
import { ConfigError } from '../../../app/main/cli/config/config-error.js';
import { loadConfigResolved } from '../../../app/main/cli/config/load-config.js';
import type { ResolvedAccount } from '../../../app/main/engine/setup/autoconfig.js';

const gmail: ResolvedAccount = {
  source: 'preset',
  sourceLabel: "Found in Gmail's settings",
  host: 'imap.gmail.com',
  port: 993,
  tls: 'implicit',
  auth: 'oauth2',
  oauth2Provider: 'google',
  maxConnections: 15,
  openUrl: 'https://mail.google.com/',
};
const icloud: ResolvedAccount = {
  source: 'preset',
  sourceLabel: "Found in iCloud's settings",
  host: 'imap.mail.me.com',
  port: 993,
  tls: 'implicit',
  auth: 'app-password',
  maxConnections: 10,
  hint: 'iCloud needs an app-specific password: https://support.apple.com/102654',
};
const table: Record<string, ResolvedAccount> = { 'gmail.com': gmail, 'icloud.com': icloud };

async function load(accounts: unknown[], env: NodeJS.ProcessEnv = {}) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-cfg-')), 'c.json');
  writeFileSync(file, JSON.stringify({ accounts }));
  const lookups: string[] = [];
  const lines: string[] = [];
  const settings = loadConfigResolved(
    file,
    env,
    { signingIn: true },
    {
      resolve: async (email) => {
        lookups.push(email);
        return table[email.slice(email.indexOf('@') + 1)] ?? null;
      },
      report: (line) => lines.push(line),
    },
  );
  return { settings: await settings, lookups, lines };
}

async function problems(accounts: unknown[]): Promise<string[]> {
  try {
    await load(accounts);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfigResolved', () => {
  it('fills server, TLS, login name, limit and webmail of an app-password address, and prints its hint', async () => {
    const { settings, lines } = await load([
      { id: 'home', email: 'ann@icloud.com', password: 'app-pw' },
    ]);
    expect(settings.accounts[0]).toMatchObject({
      host: 'imap.mail.me.com',
      port: 993,
      tls: 'implicit',
      user: 'ann@icloud.com',
      maxConnections: 10,
      password: 'app-pw',
    });
    expect(settings.accounts[0]?.auth).toBeUndefined();
    expect(lines).toEqual([
      "home: imap.mail.me.com:993 (TLS), sign-in: app password — Found in iCloud's settings",
      `home: ${icloud.hint}`,
    ]);
  });

  it('makes an OAuth2 result an "auth": "oauth2" account of its provider', async () => {
    const { settings, lines } = await load([{ id: 'work', email: 'ann@gmail.com' }]);
    expect(settings.accounts[0]).toMatchObject({
      host: 'imap.gmail.com',
      auth: 'oauth2',
      oauth2: { provider: 'google' },
      maxConnections: 15,
      openUrl: 'https://mail.google.com/',
    });
    expect(lines).toEqual([
      "work: imap.gmail.com:993 (TLS), sign-in: OAuth2 (google) — Found in Gmail's settings",
    ]);
  });

  it("keeps the user's own fields over anything found", async () => {
    const { settings } = await load([
      {
        id: 'work',
        email: 'ann@gmail.com',
        port: 1993,
        user: 'ann.other@gmail.com',
        maxConnections: 3,
        openUrl: 'https://example.com/mail',
        auth: 'password',
        password: 'app-pw',
      },
    ]);
    expect(settings.accounts[0]).toMatchObject({
      host: 'imap.gmail.com',
      port: 1993,
      user: 'ann.other@gmail.com',
      maxConnections: 3,
      openUrl: 'https://example.com/mail',
      auth: 'password',
    });
    expect(settings.accounts[0]?.oauth2).toBeUndefined();
  });

  it('looks up only accounts without a host, each once', async () => {
    const { lookups, settings } = await load([
      { id: 'a', email: 'ann@gmail.com' },
      { id: 'b', email: 'bob@icloud.com', password: 'x' },
      { id: 'c', email: 'carol@gmail.com', host: 'imap.example.test', user: 'c', password: 'x' },
    ]);
    expect(lookups.sort()).toEqual(['ann@gmail.com', 'bob@icloud.com']);
    expect(settings.accounts[2]?.host).toBe('imap.example.test');
  });

  it('refuses an address nothing was found for, naming its field', async () => {
    expect(await problems([{ id: 'a', email: 'ann@example.com', password: 'x' }])).toEqual([
      'accounts[0].email: no IMAP settings found for example.com: give host (and port, tls) yourself',
    ]);
  });

  it('still names each bad field through the schema after filling in', async () => {
    expect(
      await problems([{ id: 'a', email: 'ann@icloud.com', port: 'x', password: 'y' }]),
    ).toEqual(['accounts[0].port: Invalid input: expected number, received string']);
  });

  it('leaves a malformed address to the schema instead of looking it up', async () => {
    const found = await problems([{ id: 'a', email: 'not an address', password: 'x' }]);
    expect(found).toContain('accounts[0].email: expected an email address');
  });
});

describe('TIDINGS_AUTOCONFIG_HOSTS', () => {
  it('resolves a listed domain to its server without a lookup', async () => {
    const resolve = accountResolverFromEnv({
      TIDINGS_AUTOCONFIG_HOSTS: 'example.test=127.0.0.1:9993:implicit',
    });
    expect(await resolve('ann@Example.test', AbortSignal.timeout(1000))).toMatchObject({
      host: '127.0.0.1',
      port: 9993,
      tls: 'implicit',
      auth: 'password',
    });
  });

  it('refuses a malformed entry', () => {
    expect(() => accountResolverFromEnv({ TIDINGS_AUTOCONFIG_HOSTS: 'example.test=host' })).toThrow(
      ConfigError,
    );
  });
});
