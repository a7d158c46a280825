import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/main/cli/config/config-error.js';
import { loadConfig, type LoadConfigOptions } from '../../../app/main/cli/config/load-config.js';

const valid = {
  accounts: [{ id: 'work', host: 'imap.example.test', user: 'ann', password: 'x' }],
};

function load(config: unknown, env: NodeJS.ProcessEnv = {}, options: LoadConfigOptions = {}) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-cfg-')), 'c.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return loadConfig(file, env, options);
}

function problems(
  config: unknown,
  env: NodeJS.ProcessEnv = {},
  options: LoadConfigOptions = {},
): string[] {
  try {
    load(config, env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills the defaults the README gives', () => {
    const settings = load(valid);
    expect(settings.notifications.burstThreshold).toBe(5);
    expect(settings.liveness).toEqual({
      heartbeatSeconds: 60,
      commandTimeoutSeconds: 15,
      maxBackoffSeconds: 300,
    });
    expect(settings.accounts[0]).toMatchObject({ tls: 'implicit', mailboxes: ['INBOX'] });
  });

  it('names a field of the wrong type', () => {
    const bad = { accounts: [{ ...valid.accounts[0], port: '993' }] };
    expect(problems(bad)).toEqual([expect.stringMatching(/^accounts\[0\]\.port: /)]);
  });

  it('names an unknown (misspelt) key', () => {
    const bad = { accounts: [{ ...valid.accounts[0], pasword: 'x' }] };
    expect(problems(bad).join('\n')).toMatch(/accounts\[0\].*pasword/);
  });

  it('rejects a heartbeat beyond the 29 minutes of RFC 2177', () => {
    expect(problems({ ...valid, liveness: { heartbeatSeconds: 1800 } })).toEqual([
      expect.stringMatching(/^liveness\.heartbeatSeconds: /),
    ]);
  });

  it('requires allowInsecureAuth for tls "none"', () => {
    const bad = { accounts: [{ ...valid.accounts[0], tls: 'none' }] };
    expect(problems(bad)).toEqual([
      expect.stringMatching(/^accounts\[0\]\.tls: .*allowInsecureAuth/),
    ]);
  });

  it('rejects duplicate account ids and duplicate mailboxes', () => {
    const dup = { accounts: [valid.accounts[0], { ...valid.accounts[0], mailboxes: ['A', 'A'] }] };
    const found = problems(dup);
    expect(found).toContainEqual(expect.stringMatching(/^accounts\[1\]\.id: /));
    expect(found).toContainEqual(expect.stringMatching(/^accounts\[1\]\.mailboxes: /));
  });

  it('takes "mailboxes": "all" with ignoreMailboxes, and names "all" in a list or a stray ignoreMailboxes', () => {
    const account = valid.accounts[0] as Record<string, unknown>;
    const all = load({
      accounts: [{ ...account, mailboxes: 'all', ignoreMailboxes: ['Lists/*'] }],
    });
    expect(all.accounts[0]).toMatchObject({
      mailboxes: ['INBOX'],
      allMailboxes: true,
      ignoreMailboxes: ['Lists/*'],
    });
    expect(problems({ accounts: [{ ...account, mailboxes: ['INBOX', 'all'] }] })).toEqual([
      'accounts[0].mailboxes[1]: "all" is not a mailbox of a list: write "mailboxes": "all" to watch every folder, and "ignoreMailboxes" for the exceptions',
    ]);
    expect(problems({ accounts: [{ ...account, ignoreMailboxes: ['Spam'] }] })).toEqual([
      'accounts[0].ignoreMailboxes: needs "mailboxes": "all" (with a list, leave the mailbox out of it)',
    ]);
    expect(problems({ accounts: [{ ...account, mailboxes: 'everything' }] })).toEqual([
      'accounts[0].mailboxes: expected a list of mailbox names, or "all"',
    ]);
  });

  it('requires exactly one password source', () => {
    const { password: _drop, ...noPassword } = valid.accounts[0] as Record<string, unknown>;
    expect(problems({ accounts: [noPassword] })).toEqual([
      'accounts[0]: give one of password, passwordEnv, passwordCommand',
    ]);
    const two = { accounts: [{ ...valid.accounts[0], passwordEnv: 'PW' }] };
    expect(problems(two)).toEqual([
      expect.stringMatching(/^accounts\[0\]\.passwordEnv: give only one/),
    ]);
  });

  it('names an unset password environment variable, and accepts a set one', () => {
    const viaEnv = { accounts: [{ id: 'w', host: 'h', user: 'u', passwordEnv: 'TIDINGS_PW' }] };
    expect(problems(viaEnv)).toEqual([
      'accounts[0].passwordEnv: environment variable TIDINGS_PW is not set',
    ]);
    expect(load(viaEnv, { TIDINGS_PW: 'x' }).accounts[0]?.passwordEnv).toBe('TIDINGS_PW');
  });

  it('says where JSON is broken, without quoting the file (it may hold a password)', () => {
    expect(problems('{"accounts": [}')).toEqual(['not valid JSON: line 1, column 15']);
    expect(problems('{\n  "password": hunter2-secret\n}')).toEqual([
      'not valid JSON: line 2, column 15',
    ]);
    expect(problems('{"accounts": [')).toEqual(['not valid JSON: unexpected end of the file']);
  });

  it('shows control characters in a key or a value as escapes, keeping one line per problem', () => {
    // A key or mailbox name could otherwise add a line that reads like a stack frame, or
    // send the terminal an escape sequence.
    const forged = 'x\n    at Object.<anonymous> (/fake.js:1:1)';
    expect(problems({ accounts: [{ ...valid.accounts[0], [forged]: 1 }] })).toEqual([
      String.raw`accounts[0]: Unrecognized key: "x\u000a    at Object.<anonymous> (/fake.js:1:1)"`,
    ]);
    const quiet = problems({ accounts: [{ ...valid.accounts[0], quietMailboxes: ['\u001b[2J'] }] });
    expect(quiet).toEqual([
      String.raw`accounts[0].quietMailboxes: not among the watched mailboxes: \u001b[2J`,
    ]);
    const env = { accounts: [{ id: 'w', host: 'h', user: 'u', passwordEnv: 'PW\u202eX' }] };
    expect(problems(env)).toEqual([
      String.raw`accounts[0].passwordEnv: environment variable PW\u202eX is not set`,
    ]);
  });

  it('cuts a problem that would echo a long value', () => {
    const long = 'm'.repeat(900);
    const found = problems({ accounts: [{ ...valid.accounts[0], quietMailboxes: [long] }] });
    expect(found).toEqual([
      expect.stringMatching(/^accounts\[0\]\.quietMailboxes: not among .*m…$/),
    ]);
    expect(found[0]?.length).toBeLessThanOrEqual(500);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadConfig('/nonexistent/tidings.json')).toThrow(
      /cannot read the file \(ENOENT\)/,
    );
  });
});

describe('loadConfig with OAuth2 accounts', () => {
  const gmail = {
    id: 'gmail',
    host: 'imap.gmail.com',
    user: 'ann@gmail.com',
    auth: 'oauth2',
    oauth2: { provider: 'google', clientId: 'own-client' },
  };
  const signedIn = { hasStoredToken: () => true };
  const notSignedIn = { hasStoredToken: () => false };

  it('needs no password, and is refused until signed in, naming the command', () => {
    expect(load({ accounts: [gmail] }, {}, signedIn).accounts[0]?.auth).toBe('oauth2');
    const found = problems({ accounts: [gmail] }, {}, notSignedIn);
    expect(found).toEqual([
      expect.stringMatching(
        /^accounts\[0\]: not signed in: run tidings login --config \S+c\.json gmail$/,
      ),
    ]);
  });

  it('asks the token file only for the endpoints the account refreshes with', () => {
    const asked: unknown[] = [];
    const hasStoredToken = (account: string, endpoints: { tokenUrl: string; clientId: string }) => {
      asked.push([account, endpoints.tokenUrl, endpoints.clientId]);
      return true;
    };
    load({ accounts: [gmail] }, {}, { hasStoredToken });
    expect(asked).toEqual([['gmail', 'https://oauth2.googleapis.com/token', 'own-client']]);
  });

  it('takes a refresh token from a set environment variable or a command instead', () => {
    const viaEnv = { accounts: [{ ...gmail, refreshTokenEnv: 'GMAIL_RT' }] };
    expect(problems(viaEnv, {}, notSignedIn)).toEqual([
      'accounts[0].refreshTokenEnv: environment variable GMAIL_RT is not set',
    ]);
    expect(load(viaEnv, { GMAIL_RT: 'x' }, notSignedIn).accounts[0]?.refreshTokenEnv).toBe(
      'GMAIL_RT',
    );
    const viaCommand = { accounts: [{ ...gmail, refreshTokenCommand: 'pass show rt' }] };
    expect(load(viaCommand, {}, notSignedIn).accounts).toHaveLength(1);
  });

  it('checks no token source for tidings login, which makes the token', () => {
    const viaEnv = { accounts: [{ ...gmail, refreshTokenEnv: 'GMAIL_RT' }] };
    expect(load(viaEnv, {}, { signingIn: true }).accounts).toHaveLength(1);
  });

  it('needs no client for an access-token helper', () => {
    const { oauth2: _drop, ...helper } = gmail;
    const config = { accounts: [{ ...helper, accessTokenCommand: 'oama access ann@gmail.com' }] };
    expect(load(config, {}, notSignedIn).accounts[0]?.accessTokenCommand).toMatch(/^oama/);
  });

  it('names the missing client id and the variables that can give it', () => {
    const noClient = { accounts: [{ ...gmail, oauth2: { provider: 'google' } }] };
    expect(problems(noClient, {}, signedIn)).toEqual([
      expect.stringMatching(
        /^accounts\[0\]\.oauth2\.clientId: no client id for google: give oauth2\.clientId, or set TIDINGS_GOOGLE_CLIENT_ID/,
      ),
    ]);
    const env = { TIDINGS_GOOGLE_CLIENT_ID: 'built-in', TIDINGS_GOOGLE_CLIENT_SECRET: 's' };
    expect(load(noClient, env, signedIn).accounts).toHaveLength(1);
    const outlook = { accounts: [{ ...gmail, oauth2: { provider: 'microsoft' } }] };
    expect(problems(outlook, {}, signedIn).join()).toMatch(/TIDINGS_MICROSOFT_CLIENT_ID/);
    expect(load(outlook, { TIDINGS_MICROSOFT_CLIENT_ID: 'm' }, signedIn).accounts).toHaveLength(1);
  });

  it('refuses a token endpoint in clear text off this machine, naming the field', () => {
    const custom = {
      provider: 'custom',
      clientId: 'c',
      authorizationUrl: 'https://idp.example.test/authorize',
      tokenUrl: 'http://idp.example.test/token',
      scope: 'mail',
    };
    expect(problems({ accounts: [{ ...gmail, oauth2: custom }] }, {}, signedIn)).toEqual([
      'accounts[0].oauth2.tokenUrl: expected an https:// address (http only on this machine)',
    ]);
  });

  it('refuses a quiet period that ends when it starts, naming the field', () => {
    const quiet = { quietHours: [{ days: ['mon'], from: '08:00', to: '08:00' }] };
    expect(problems({ accounts: [gmail], notifications: quiet }, {}, signedIn)).toEqual([
      'notifications.quietHours[0].to: ends when it starts: for a whole day, give 00:00 to 23:59',
    ]);
  });

  it('refuses a password on an OAuth2 account, naming the field', () => {
    expect(problems({ accounts: [{ ...gmail, password: 'x' }] }, {}, signedIn)).toEqual([
      expect.stringMatching(/^accounts\[0\]\.password: an OAuth2 account signs in with tokens/),
    ]);
  });
});
