/**
 * `tidings login` and `tidings watch` with an OAuth2 account, as users run them (the compiled
 * CLI in child processes), against Dovecot's oauth2 passdb checking every token with the
 * strict local identity provider. Access tokens live 2 s and refresh tokens rotate on every
 * use, so each reconnect needs a refresh and each refresh a saved token. The test is the
 * browser and the user.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useOAuth2DovecotSuite } from '../../support/dovecot-suite.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import type { OAuthProvider } from '../../support/oauth-provider.js';
import {
  isStatus,
  startLogin,
  startWatch,
  writeConfig,
  type WatchEvent,
  type WatchProcess,
} from '../../support/watch-process.js';

let provider: OAuthProvider;
let dovecot: Dovecot;
let userCount = 0;

const { cleanups } = useOAuth2DovecotSuite(
  (started) => {
    ({ dovecot, provider } = started);
  },
  { accessTokenSeconds: 2, rotateRefreshTokens: true },
);

/** A mail user whose IMAP logins go through OAuth2 (the password is only for APPEND). */
function newUser(): string {
  const user = `oauth${++userCount}`;
  dovecot.addUser(user, 'append-only');
  return user;
}

function oauth2Account(user: string, port: number, extra: Record<string, unknown> = {}) {
  return {
    id: 'idp',
    host: dovecot.host,
    port,
    tls: 'none',
    allowInsecureAuth: true,
    user,
    auth: 'oauth2',
    oauth2: {
      provider: 'custom',
      clientId: provider.clientId,
      authorizationUrl: provider.authorizationUrl,
      tokenUrl: provider.tokenUrl,
      scope: 'mail',
    },
    ...extra,
  };
}

function configFor(account: unknown) {
  return {
    accounts: [account],
    liveness: { heartbeatSeconds: 30, commandTimeoutSeconds: 5, maxBackoffSeconds: 1 },
  };
}

function watch(
  configFile: string,
  stateDir: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): WatchProcess {
  const proc = startWatch({ configFile, stateDir, env, args });
  cleanups.push(() => proc.stop());
  return proc;
}

const newMail = (e: WatchEvent) => e.event === 'new-mail';

async function deliver(user: string, subject: string): Promise<string> {
  const messageId = newMessageId();
  await dovecot.append(user, 'INBOX', [buildMessage({ subject, messageId })]);
  return messageId;
}

describe('tidings watch with an OAuth2 account', () => {
  it(
    'announces mail exactly once across token refreshes, rotations and reconnects',
    { timeout: 60_000 },
    async () => {
      const user = newUser();
      const proxy: FaultProxy = await startFaultProxy(dovecot.port);
      cleanups.push(() => proxy.close());
      const seed = provider.issueRefreshToken(user);
      const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
      const configFile = writeConfig(
        configFor(oauth2Account(user, proxy.port, { refreshTokenEnv: 'IDP_REFRESH_TOKEN' })),
      );
      const refreshesBefore = provider.counts.refresh;
      const introspectionsBefore = provider.counts.introspect;
      const proc = watch(configFile, stateDir, { IDP_REFRESH_TOKEN: seed }, ['--verbose']);
      await proc.events.waitFor(isStatus('idp', 'INBOX', 'idle'), 'idle');
      const sent = [await deliver(user, 'before any expiry')];
      await proc.events.waitForCount(newMail, 1, 'first mail');
      for (let round = 1; round <= 3; round++) {
        // Let the access token expire during IDLE, then drop the connection: the reconnect
        // must refresh (the seed is spent by now: only the saved, rotated token works).
        await new Promise((resolve) => setTimeout(resolve, 2_100));
        const idles = proc.events.filter(isStatus('idp', 'INBOX', 'idle')).length;
        proxy.resetAll();
        sent.push(await deliver(user, `during outage ${round}`));
        await proc.events.waitForCount(isStatus('idp', 'INBOX', 'idle'), idles + 1, 'idle again');
        await proc.events.waitForCount(newMail, round + 1, `mail of round ${round}`);
      }
      // Nothing more arrives late: each message once.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const announced = proc.events.filter(newMail).map((e) => e.messageId);
      expect(announced).toEqual(sent);
      expect(provider.counts.refresh - refreshesBefore).toBeGreaterThanOrEqual(4);
      // Dovecot checked a token at each of the four logins.
      expect(provider.counts.introspect - introspectionsBefore).toBeGreaterThanOrEqual(4);
      expect(proc.events.filter((e) => e.state === 'auth-failed')).toEqual([]);
      expect(proc.strayStdout).toEqual([]);
      // Neither the seed nor the rotated refresh token saved last reaches the logs.
      const saved = JSON.parse(readFileSync(path.join(stateDir, 'tokens.json'), 'utf8')) as {
        idp: { refreshToken: string };
      };
      expect(saved.idp.refreshToken).not.toBe(seed);
      expect(proc.stderr()).toMatch(/debug/);
      expect(proc.stderr()).not.toContain(seed);
      expect(proc.stderr()).not.toContain(saved.idp.refreshToken);
    },
  );

  it('logs in with an accessTokenCommand’s token, running it again for each connect', async () => {
    const user = newUser();
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-helper-'));
    // A token helper in the manner of oama or pizauth: it keeps the refresh token itself.
    const store = path.join(dir, 'refresh-token');
    writeFileSync(store, provider.issueRefreshToken(user));
    const helper = path.join(dir, 'helper.mjs');
    writeFileSync(
      helper,
      [
        "import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';",
        `const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: ${JSON.stringify(provider.clientId)}, refresh_token: readFileSync(${JSON.stringify(store)}, 'utf8') });`,
        `const answer = await (await fetch(${JSON.stringify(provider.tokenUrl)}, { method: 'POST', body })).json();`,
        `writeFileSync(${JSON.stringify(store)}, answer.refresh_token);`,
        `appendFileSync(${JSON.stringify(path.join(dir, 'runs'))}, 'run\\n');`,
        'console.log(answer.access_token);',
      ].join('\n'),
    );
    const proxy = await startFaultProxy(dovecot.port);
    cleanups.push(() => proxy.close());
    const { oauth2: _none, ...account } = oauth2Account(user, proxy.port);
    const configFile = writeConfig(
      configFor({ ...account, accessTokenCommand: `"${process.execPath}" ${helper}` }),
    );
    const proc = watch(configFile, mkdtempSync(path.join(tmpdir(), 'tidings-state-')));
    await proc.events.waitFor(isStatus('idp', 'INBOX', 'idle'), 'idle');
    proxy.resetAll();
    const sent = [await deliver(user, 'through a token helper')];
    await proc.events.waitForCount(isStatus('idp', 'INBOX', 'idle'), 2, 'idle after a reconnect');
    await proc.events.waitForCount(newMail, 1, 'mail through a token helper');
    expect(proc.events.filter(newMail).map((e) => e.messageId)).toEqual(sent);
    // Once per login: the first connect and the reconnect (more if the machine is slow).
    expect(readFileSync(path.join(dir, 'runs'), 'utf8')).toMatch(/^(run\n){2,}$/);
  });

  it('refuses an account that is not signed in, naming the command to run (exit 2)', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
    const configFile = writeConfig(configFor(oauth2Account(newUser(), dovecot.port)));
    const proc = watch(configFile, stateDir);
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain(
      `accounts[0]: not signed in: run tidings login --config ${configFile} idp`,
    );
  });
});

describe('tidings login', () => {
  it(
    'signs in through the browser, stores the token 0600, and tidings watch uses it',
    { timeout: 40_000 },
    async () => {
      const user = newUser();
      const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-state-')), 'state');
      const configFile = writeConfig(configFor(oauth2Account(user, dovecot.port)));
      const login = startLogin({ configFile, stateDir, account: 'idp' });
      cleanups.push(async () => login.signal('SIGKILL'));
      const url = new URL(await login.url);
      expect(url.searchParams.get('login_hint')).toBe(user);
      // The test is the browser: the provider redirects it to the listener.
      const authorized = await fetch(url, { redirect: 'manual' });
      const page = await fetch(authorized.headers.get('location') ?? '');
      expect(await page.text()).toMatch(/Signed in/);
      expect(await login.exited).toBe(0);
      expect(login.stdout()).toBe(
        `Signed in as ${user}; run tidings watch --config ${configFile}\n`,
      );
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(stateDir, 'tokens.json')).mode & 0o777).toBe(0o600);

      const proc = watch(configFile, stateDir);
      await proc.events.waitFor(isStatus('idp', 'INBOX', 'idle'), 'idle with the stored token');
      const messageId = await deliver(user, 'after login');
      await proc.events.waitForCount(newMail, 1, 'mail after login');
      expect(proc.events.filter(newMail).map((e) => e.messageId)).toEqual([messageId]);
    },
  );

  it('exits 1 naming the provider’s refusal, and 130 on Ctrl-C, the port closed both times', async () => {
    const configFile = writeConfig(configFor(oauth2Account(newUser(), dovecot.port)));
    const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
    const refused = startLogin({ configFile, stateDir, account: 'idp' });
    cleanups.push(async () => refused.signal('SIGKILL'));
    const url = new URL(await refused.url);
    const back = new URL(url.searchParams.get('redirect_uri') ?? '');
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    back.searchParams.set('error', 'access_denied');
    expect(await (await fetch(back)).text()).toMatch(/Sign-in failed.*access_denied/s);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(
      /tidings: sign-in failed: the provider refused the sign-in: access_denied/,
    );
    expect(refused.stdout()).toBe('');

    const cancelled = startLogin({ configFile, stateDir, account: 'idp' });
    cleanups.push(async () => cancelled.signal('SIGKILL'));
    const listener = new URL(new URL(await cancelled.url).searchParams.get('redirect_uri') ?? '');
    cancelled.signal('SIGINT');
    expect(await cancelled.exited).toBe(130);
    expect(cancelled.stderr()).toMatch(/sign-in cancelled/);
    await expect(fetch(listener)).rejects.toThrow();
    expect(existsSync(path.join(stateDir, 'tokens.json'))).toBe(false);
  });

  it(
    'lets a running tidings watch recover from a dead grant on SIGUSR1 after a new login',
    {
      timeout: 40_000,
    },
    async () => {
      const user = newUser();
      const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
      const dead = provider.issueRefreshToken(user);
      provider.revoke(dead);
      const configFile = writeConfig(
        configFor(oauth2Account(user, dovecot.port, { refreshTokenEnv: 'IDP_REFRESH_TOKEN' })),
      );
      const proc = watch(configFile, stateDir, { IDP_REFRESH_TOKEN: dead });
      const failed = await proc.events.waitFor(
        isStatus('idp', 'INBOX', 'auth-failed'),
        'auth-failed',
      );
      expect(failed.detail).toMatch(/sign in again/);

      const login = startLogin({ configFile, stateDir, account: 'idp' });
      cleanups.push(async () => login.signal('SIGKILL'));
      const authorized = await fetch(await login.url, { redirect: 'manual' });
      await fetch(authorized.headers.get('location') ?? '');
      expect(await login.exited).toBe(0);
      // The saved token wins over the (dead) seed at the next refresh.
      proc.signal('SIGUSR1');
      await proc.events.waitFor(isStatus('idp', 'INBOX', 'idle'), 'idle after signing in again');
      const messageId = await deliver(user, 'after signing in again');
      await proc.events.waitForCount(newMail, 1, 'mail after signing in again');
      expect(proc.events.filter(newMail).map((e) => e.messageId)).toEqual([messageId]);
    },
  );

  it('names a password account as not for login (exit 2)', async () => {
    const configFile = writeConfig(
      configFor({ id: 'pw', host: dovecot.host, user: 'bob', password: 'x' }),
    );
    const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
    const login = startLogin({ configFile, stateDir, account: 'pw' });
    expect(await login.exited).toBe(2);
    expect(login.stderr()).toMatch(/accounts\[0\]\.auth: "pw" signs in with a password/);
    const unknown = startLogin({ configFile, stateDir, account: 'nope' });
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toMatch(/no account "nope" \(accounts: pw\)/);
  });
});
