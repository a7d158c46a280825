import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startOAuthProvider, type OAuthProvider } from './oauth-provider.js';

let provider: OAuthProvider | undefined;
afterEach(async () => {
  await provider?.stop();
  provider = undefined;
});

const post = async (url: string, form: Record<string, string>) => {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the test identity provider', () => {
  it('grants a code only for the PKCE verifier, refreshes with rotation, and revokes', async () => {
    provider = await startOAuthProvider({ rotateRefreshTokens: true, user: 'ann' });
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://127.0.0.1:1/callback';
    const authorize = new URL(provider.authorizationUrl);
    for (const [key, value] of Object.entries({
      client_id: provider.clientId,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      redirect_uri: redirect,
      state: 's1',
    })) {
      authorize.searchParams.set(key, value);
    }
    const answer = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('code') ?? '';
    const wrong = await post(provider.tokenUrl, {
      grant_type: 'authorization_code',
      client_id: provider.clientId,
      code,
      code_verifier: 'w'.repeat(50),
      redirect_uri: redirect,
    });
    expect(wrong.body.error).toBe('invalid_grant');

    const first = provider.issueRefreshToken();
    const refreshed = await post(provider.tokenUrl, {
      grant_type: 'refresh_token',
      client_id: provider.clientId,
      refresh_token: first,
    });
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    const introspected = await post(provider.introspectionUrl, {
      token: String(refreshed.body.access_token),
    });
    expect(introspected.body).toEqual({ active: true, username: 'ann' });
    // Rotated: the old one is spent.
    const again = await post(provider.tokenUrl, {
      grant_type: 'refresh_token',
      client_id: provider.clientId,
      refresh_token: first,
    });
    expect(again.body.error).toBe('invalid_grant');
    provider.expireAccessTokens();
    const expired = await post(provider.introspectionUrl, {
      token: String(refreshed.body.access_token),
    });
    expect(expired.body).toEqual({ active: false });
    provider.setUnavailable(true);
    expect((await post(provider.tokenUrl, {})).status).toBe(503);
  });
});
