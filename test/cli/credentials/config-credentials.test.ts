/**
 * The credentials of `tidings watch` against the strict local identity provider: the token
 * file, rotated refresh tokens saved and preferred over the configured seed, and the token
 * commands.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema, type Settings } from '../../../app/common/settings-schema.js';
import { createConfigCredentials } from '../../../app/main/cli/credentials/config-credentials.js';
import { ConfigSecretSource } from '../../../app/main/cli/credentials/config-secret-source.js';
import { TokenFile } from '../../../app/main/cli/credentials/token-file.js';
import { silentLogger } from '../../../app/main/engine/base/ports.js';
import { startOAuthProvider, type OAuthProvider } from '../../support/oauth-provider.js';

let provider: OAuthProvider;
beforeAll(async () => {
  provider = await startOAuthProvider({ rotateRefreshTokens: true, user: 'ann' });
});
afterAll(() => provider.stop());

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-tokens-'));

function settingsWith(extra: Record<string, unknown>): Settings {
  return settingsSchema.parse({
    accounts: [
      { id: 'pw', host: '127.0.0.1', user: 'bob', password: 'hunter2' },
      {
        id: 'idp',
        host: '127.0.0.1',
        user: 'ann',
        auth: 'oauth2',
        oauth2: {
          provider: 'custom',
          clientId: provider.clientId,
          authorizationUrl: provider.authorizationUrl,
          tokenUrl: provider.tokenUrl,
          scope: 'mail',
        },
        ...extra,
      },
    ],
  });
}

function credentialsFor(settings: Settings, tokenFile: TokenFile, env: NodeJS.ProcessEnv = {}) {
  const secrets = new ConfigSecretSource(settings.accounts, env);
  return createConfigCredentials({ settings, secrets, tokenFile, env });
}

async function isActive(accessToken: string): Promise<boolean> {
  const answer = await fetch(provider.introspectionUrl, {
    method: 'POST',
    body: new URLSearchParams({ token: accessToken }),
  });
  return ((await answer.json()) as { active: boolean }).active;
}

describe('TokenFile', () => {
  it('creates the file 0600 in a directory made 0700, and touches nothing to read', async () => {
    const dir = path.join(tempDir(), 'state');
    const file = new TokenFile(dir, silentLogger);
    const binding = { tokenUrl: 'https://idp.example.test/token', clientId: 'c' };
    expect(file.get('work', binding)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    await file.save('work', binding, 'rt-1');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(new TokenFile(dir, silentLogger).get('work', binding)).toBe('rt-1');
  });

  it('hands a token out only for the endpoint and client it was issued to', async () => {
    const file = new TokenFile(tempDir(), silentLogger);
    const binding = { tokenUrl: 'https://idp.example.test/token', clientId: 'c' };
    await file.save('work', binding, 'rt-1');
    expect(file.get('work', { ...binding, tokenUrl: 'https://elsewhere.test/token' })).toBe(
      undefined,
    );
    expect(file.get('work', { ...binding, clientId: 'other' })).toBeUndefined();
    expect(file.get('other', binding)).toBeUndefined();
  });
});

describe('createConfigCredentials', () => {
  it('saves a rotated refresh token and prefers it over the seed, also after a restart', async () => {
    const dir = tempDir();
    const seed = provider.issueRefreshToken();
    const settings = settingsWith({ refreshTokenEnv: 'IDP_RT' });
    const env = { IDP_RT: seed };
    const first = credentialsFor(settings, new TokenFile(dir, silentLogger), env);
    const login = await first.credentials.getCredentials('idp');
    expect(login.kind).toBe('oauth2');
    expect(login.kind === 'oauth2' && (await isActive(login.accessToken))).toBe(true);
    const stored = readFileSync(path.join(dir, 'tokens.json'), 'utf8');
    expect(stored).not.toContain(seed);
    // The seed is spent (rotated): every later refresh must use the saved token.
    const again = await first.credentials.getCredentials('idp', { forceRefresh: true });
    expect(again.kind === 'oauth2' && (await isActive(again.accessToken))).toBe(true);
    const restarted = credentialsFor(settings, new TokenFile(dir, silentLogger), env);
    const afterRestart = await restarted.credentials.getCredentials('idp');
    expect(afterRestart.kind === 'oauth2' && (await isActive(afterRestart.accessToken))).toBe(true);
    expect(await first.credentials.getCredentials('pw')).toEqual({
      kind: 'password',
      password: 'hunter2',
    });
  });

  it('falls back to the configured token once the stored one is dead (invalid_grant)', async () => {
    const dir = tempDir();
    const tokenFile = new TokenFile(dir, silentLogger);
    const settings = settingsWith({ refreshTokenEnv: 'IDP_RT' });
    const env = { IDP_RT: provider.issueRefreshToken() };
    const first = credentialsFor(settings, tokenFile, env);
    await first.credentials.getCredentials('idp');
    // What was stored (the rotated token) is revoked; the user puts a fresh one in the env.
    const tokens = JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8')) as Record<
      string,
      { refreshToken: string }
    >;
    provider.revoke(tokens.idp?.refreshToken ?? '');
    env.IDP_RT = provider.issueRefreshToken();
    await expect(
      first.credentials.getCredentials('idp', { forceRefresh: true }),
    ).rejects.toMatchObject({ code: 'auth' });
    // The dead one is gone from the file: the next try asks the environment again.
    const again = await first.credentials.getCredentials('idp', { forceRefresh: true });
    expect(again.kind === 'oauth2' && (await isActive(again.accessToken))).toBe(true);
  });

  it('runs a refreshTokenCommand once, however often it refreshes', async () => {
    const dir = tempDir();
    const runs = path.join(dir, 'runs');
    const seed = provider.issueRefreshToken();
    const settings = settingsWith({ refreshTokenCommand: `echo run >> ${runs}; echo ${seed}` });
    const { credentials } = credentialsFor(settings, new TokenFile(dir, silentLogger));
    await credentials.getCredentials('idp');
    await credentials.getCredentials('idp', { forceRefresh: true });
    expect(readFileSync(runs, 'utf8')).toBe('run\n');
  });

  it('runs a refreshTokenCommand anew once its answer was refused and forgotten', async () => {
    const dir = tempDir();
    const answer = path.join(dir, 'answer');
    const dead = provider.issueRefreshToken();
    provider.revoke(dead);
    writeFileSync(answer, `${dead}\n`);
    const settings = settingsWith({ refreshTokenCommand: `cat ${answer}` });
    const tokens = credentialsFor(settings, new TokenFile(dir, silentLogger));
    await expect(tokens.credentials.getCredentials('idp')).rejects.toMatchObject({ code: 'auth' });
    // The user fixes the secret store; the remembered answer is still the dead one…
    writeFileSync(answer, `${provider.issueRefreshToken()}\n`);
    await expect(tokens.credentials.getCredentials('idp')).rejects.toMatchObject({ code: 'auth' });
    // …until the watcher's auth-failed makes tidings watch forget it.
    tokens.forget('idp');
    const login = await tokens.credentials.getCredentials('idp');
    expect(login.kind === 'oauth2' && (await isActive(login.accessToken))).toBe(true);
  });

  it('runs an accessTokenCommand before every connect, with no client needed', async () => {
    const dir = tempDir();
    const runs = path.join(dir, 'runs');
    const settings = settingsSchema.parse({
      accounts: [
        {
          id: 'helper',
          host: '127.0.0.1',
          user: 'ann',
          auth: 'oauth2',
          accessTokenCommand: `echo run >> ${runs}; echo token-$(wc -l < ${runs})`,
        },
      ],
    });
    const { credentials } = credentialsFor(settings, new TokenFile(dir, silentLogger));
    expect(await credentials.getCredentials('helper')).toEqual({
      kind: 'oauth2',
      accessToken: 'token-1',
    });
    expect(await credentials.getCredentials('helper')).toEqual({
      kind: 'oauth2',
      accessToken: 'token-2',
    });
  });

  it('logs in with the access token another process stored while it is valid, redeeming nothing (tidings check)', async () => {
    const dir = tempDir();
    const settings = settingsWith({});
    await new TokenFile(dir, silentLogger).save(
      'idp',
      { tokenUrl: provider.tokenUrl, clientId: provider.clientId },
      provider.issueRefreshToken(),
    );
    const watching = credentialsFor(settings, new TokenFile(dir, silentLogger));
    const first = await watching.credentials.getCredentials('idp');
    const refreshes = provider.counts.refresh;
    // A second process (`tidings check` beside `tidings watch`) starts with nothing in memory.
    const checking = credentialsFor(settings, new TokenFile(dir, silentLogger));
    expect(await checking.credentials.getCredentials('idp')).toEqual(first);
    expect(provider.counts.refresh).toBe(refreshes);
    expect(first.kind === 'oauth2' && (await isActive(first.accessToken))).toBe(true);
    // Refused by the server, it is not handed out again: a refresh gives a new one.
    const fresh = await checking.credentials.getCredentials('idp', { forceRefresh: true });
    expect(fresh).not.toEqual(first);
    expect(provider.counts.refresh).toBe(refreshes + 1);
  });

  it('refreshes when the stored access token has less than five minutes left', async () => {
    const shortLived = await startOAuthProvider({ accessTokenSeconds: 240, user: 'ann' });
    try {
      const dir = tempDir();
      const settings = settingsSchema.parse({
        accounts: [
          {
            id: 'idp',
            host: '127.0.0.1',
            user: 'ann',
            auth: 'oauth2',
            refreshTokenEnv: 'IDP_RT',
            oauth2: {
              provider: 'custom',
              clientId: shortLived.clientId,
              authorizationUrl: shortLived.authorizationUrl,
              tokenUrl: shortLived.tokenUrl,
              scope: 'mail',
            },
          },
        ],
      });
      const env = { IDP_RT: shortLived.issueRefreshToken() };
      const first = credentialsFor(settings, new TokenFile(dir, silentLogger), env);
      const before = await first.credentials.getCredentials('idp');
      const second = credentialsFor(settings, new TokenFile(dir, silentLogger), env);
      expect(await second.credentials.getCredentials('idp')).not.toEqual(before);
      expect(shortLived.counts.refresh).toBe(2);
    } finally {
      await shortLived.stop();
    }
  });

  it('refreshes with a token file written before access tokens were kept in it', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'tokens.json'),
      JSON.stringify({
        idp: {
          tokenUrl: provider.tokenUrl,
          clientId: provider.clientId,
          refreshToken: provider.issueRefreshToken(),
          savedAt: '2024-05-01T10:00:00.000Z',
        },
      }),
    );
    const refreshes = provider.counts.refresh;
    const { credentials } = credentialsFor(settingsWith({}), new TokenFile(dir, silentLogger));
    const login = await credentials.getCredentials('idp');
    expect(login.kind === 'oauth2' && (await isActive(login.accessToken))).toBe(true);
    expect(provider.counts.refresh).toBe(refreshes + 1);
  });

  it('names a dead grant as an auth failure ("sign in again"), not a transient one', async () => {
    const seed = provider.issueRefreshToken();
    provider.revoke(seed);
    const settings = settingsWith({ refreshTokenEnv: 'IDP_RT' });
    const { credentials } = credentialsFor(settings, new TokenFile(tempDir(), silentLogger), {
      IDP_RT: seed,
    });
    await expect(credentials.getCredentials('idp')).rejects.toMatchObject({ code: 'auth' });
  });
});
