import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountResolverFromEnv } from '../../../app/main/cli/config/autoconfig-env.js';
import { ConfigError } from '../../../app/main/cli/config/config-error.js';
import { loadConfigResolved } from '../../../app/main/cli/config/load-config.js';
import { ResolvedServers } from '../../../app/main/cli/config/resolved-servers.js';
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
// What a forged SRV answer names: a server outside the address's domain.
const forged: ResolvedAccount = {
  source: 'srv',
  sourceLabel: "From victim.test's DNS (SRV records)",
  host: 'imap.attacker.test',
  port: 993,
  tls: 'implicit',
  auth: 'password',
  needsConfirmation:
    "imap.attacker.test is not in victim.test, and only victim.test's DNS named it: a DNS answer can be forged on the network",
};
const ownAutoconfig: ResolvedAccount = {
  source: 'autoconfig',
  sourceLabel: "From own.test's autoconfig",
  host: 'imap.own.test',
  port: 993,
  tls: 'implicit',
  auth: 'password',
};
const table: Record<string, ResolvedAccount> = {
  'gmail.com': gmail,
  'icloud.com': icloud,
  'victim.test': forged,
  'own.test': ownAutoconfig,
};

async function load(
  accounts: unknown[],
  env: NodeJS.ProcessEnv = {},
  answers: Record<string, ResolvedAccount> = table,
  stateDir?: string,
) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-cfg-')), 'c.json');
  writeFileSync(file, JSON.stringify({ accounts }));
  const lookups: string[] = [];
  const lines: string[] = [];
  const settings = loadConfigResolved(
    file,
    env,
    { signingIn: true, ...(stateDir !== undefined ? { stateDir } : {}) },
    {
      resolve: async (email) => {
        lookups.push(email);
        return answers[email.slice(email.indexOf('@') + 1)] ?? null;
      },
      report: (line) => lines.push(line),
    },
  );
  return { settings: await settings, lookups, lines };
}

async function problems(
  accounts: unknown[],
  answers: Record<string, ResolvedAccount> = table,
  stateDir?: string,
): Promise<string[]> {
  try {
    await load(accounts, {}, answers, stateDir);
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

describe('servers an address resolved to, confirmed or remembered', () => {
  const stateDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-state-'));

  it('refuses a server outside the domain that only DNS named, with the lines to confirm it', async () => {
    const state = stateDir();
    expect(
      await problems([{ id: 'a', email: 'ann@victim.test', password: 'x' }], table, state),
    ).toEqual([
      `accounts[0].email: ${forged.needsConfirmation}. Tidings sends no password there unconfirmed: if it is right, put "host": "imap.attacker.test", "port": 993, "tls": "implicit", "user": "ann@victim.test" in the account`,
    ]);
    // Nothing learnt from a refused answer.
    expect(new ResolvedServers(state, () => {}).recall('ann@victim.test')).toBeUndefined();
  });

  it('uses that server once the config names it: the user confirmed it', async () => {
    const { settings, lookups } = await load([
      {
        id: 'a',
        email: 'ann@victim.test',
        host: 'imap.attacker.test',
        port: 993,
        tls: 'implicit',
        user: 'ann@victim.test',
        password: 'x',
      },
    ]);
    expect(lookups).toEqual([]);
    expect(settings.accounts[0]?.host).toBe('imap.attacker.test');
  });

  it('remembers the answer, and refuses a different one later, saying what changed', async () => {
    const state = stateDir();
    const account = { id: 'a', email: 'Ann@own.test', password: 'x' };
    await load([account], {}, table, state);
    const moved = {
      ...table,
      'own.test': {
        ...ownAutoconfig,
        host: 'imap.elsewhere.test',
        port: 143,
        tls: 'starttls' as const,
      },
    };
    expect(await problems([account], moved, state)).toEqual([
      'accounts[0].email: the server found for Ann@own.test changed from imap.own.test:993 (TLS) to imap.elsewhere.test:143 (STARTTLS) (From own.test\'s autoconfig), and Tidings does not follow a changed answer silently: if it is right, put "host": "imap.elsewhere.test", "port": 143, "tls": "starttls", "user": "Ann@own.test" in the account',
    ]);
    // The same answer as before passes, and the memory still holds the first one.
    const again = await load([account], {}, table, state);
    expect(again.settings.accounts[0]?.host).toBe('imap.own.test');
    expect(new ResolvedServers(state, () => {}).recall('ann@own.test')).toEqual({
      host: 'imap.own.test',
      port: 993,
      tls: 'implicit',
    });
  });

  it('follows a change that comes from the built-in presets, which no network can forge', async () => {
    const state = stateDir();
    const account = { id: 'a', email: 'ann@gmail.com' };
    const old = { ...table, 'gmail.com': { ...gmail, host: 'imap.googlemail.com' } };
    await load([account], {}, old, state);
    const { settings } = await load([account], {}, table, state);
    expect(settings.accounts[0]?.host).toBe('imap.gmail.com');
  });

  it('keeps the memory in resolved-servers.json, readable by its owner only', async () => {
    const state = stateDir();
    await load([{ id: 'a', email: 'ann@own.test', password: 'x' }], {}, table, state);
    const file = path.join(state, 'resolved-servers.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      'ann@own.test': { host: 'imap.own.test', port: 993, tls: 'implicit' },
    });
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
