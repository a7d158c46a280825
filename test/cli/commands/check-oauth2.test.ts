/**
 * `tidings check` with an OAuth2 account, as users run it (the compiled CLI), against
 * Dovecot's oauth2 passdb checking every token with the strict local identity provider, which
 * rotates refresh tokens. A check beside a running `tidings watch` must not redeem the refresh
 * token the watch depends on when the access token in tokens.json still lasts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dovecot } from '../../support/dovecot.js';
import { useOAuth2DovecotSuite } from '../../support/dovecot-suite.js';
import type { OAuthProvider } from '../../support/oauth-provider.js';
import { runCli } from '../../support/run-cli.js';
import { startLogin, writeConfig } from '../../support/watch-process.js';

let provider: OAuthProvider;
let dovecot: Dovecot;
let userCount = 0;

const { cleanups } = useOAuth2DovecotSuite(
  (started) => {
    ({ dovecot, provider } = started);
  },
  { accessTokenSeconds: 3600, rotateRefreshTokens: true },
);

interface CheckJson {
  ok: boolean;
  accounts: Array<{ id: string; steps: Array<{ step: string; status: string; detail: string }> }>;
}

/** A user signed in with `tidings login` (the test is the browser); its config and state. */
async function signedIn(): Promise<{ configFile: string; stateDir: string }> {
  const user = `checker${++userCount}`;
  dovecot.addUser(user, 'append-only');
  const configFile = writeConfig({
    accounts: [
      {
        id: 'idp',
        host: dovecot.host,
        port: dovecot.port,
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
      },
    ],
  });
  const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-state-'));
  const login = startLogin({ configFile, stateDir, account: 'idp' });
  cleanups.push(async () => login.signal('SIGKILL'));
  const authorized = await fetch(await login.url, { redirect: 'manual' });
  await fetch(authorized.headers.get('location') ?? '');
  expect(await login.exited).toBe(0);
  return { configFile, stateDir };
}

async function check(configFile: string, stateDir: string) {
  const run = await runCli(['check', '--config', configFile, '--state-dir', stateDir, '--json']);
  const document = JSON.parse(run.stdout) as CheckJson;
  const login = document.accounts[0]?.steps.find((step) => step.step === 'login');
  return { code: run.code, login, stderr: run.stderr };
}

const storedAccessToken = (stateDir: string) =>
  (
    JSON.parse(readFileSync(path.join(stateDir, 'tokens.json'), 'utf8')) as {
      idp: { accessToken?: string };
    }
  ).idp.accessToken;

describe('tidings check with an OAuth2 account', () => {
  it('logs in with the access token tidings login stored, redeeming no refresh token', async () => {
    const { configFile, stateDir } = await signedIn();
    const refreshes = provider.counts.refresh;
    const introspections = provider.counts.introspect;
    const result = await check(configFile, stateDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.login).toMatchObject({ status: 'ok', detail: expect.stringMatching(/OAuth2/) });
    expect(provider.counts.refresh).toBe(refreshes);
    // Dovecot asked the provider about the token: the login was real.
    expect(provider.counts.introspect).toBeGreaterThan(introspections);
  });

  it('refreshes once and logs in when the server refuses the stored access token', async () => {
    const { configFile, stateDir } = await signedIn();
    const before = storedAccessToken(stateDir);
    // Revoked early: the file still says it lasts an hour.
    provider.expireAccessTokens();
    const refreshes = provider.counts.refresh;
    const result = await check(configFile, stateDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.login).toMatchObject({ status: 'ok' });
    expect(provider.counts.refresh).toBe(refreshes + 1);
    // The new one is kept for the next process.
    expect(storedAccessToken(stateDir)).toEqual(expect.any(String));
    expect(storedAccessToken(stateDir)).not.toBe(before);
  });
});
