/**
 * A strict OAuth2 identity provider on loopback, for Dovecot's oauth2 passdb and for our
 * OAuth2 client: authorization code with PKCE (S256 only), refresh tokens (rotated when
 * asked, as Microsoft does), expiring access tokens, RFC 7662 introspection (what Dovecot
 * asks with `introspection_mode = post`), revocation (`invalid_grant` from then on) and an
 * outage switch (503, as a provider that is down). Plain node:http; nothing leaves 127.0.0.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How strict the provider is. */
export interface OAuthProviderOptions {
  /** Access token lifetime; Dovecot refuses a token once introspection says inactive. */
  accessTokenSeconds?: number;
  /** Issue a new refresh token on every refresh and retire the old one. */
  rotateRefreshTokens?: boolean;
  clientId?: string;
  /** Who signs in at /authorize (the test plays the browser and the user). */
  user?: string;
  /** Add an `id_token` to token answers, issued by this issuer (an OIDC provider). */
  idTokenIssuer?: string;
  /** Answer token requests this late (a slow provider). */
  tokenDelayMs?: number;
}

/** A running provider and the switches tests pull. */
export interface OAuthProvider {
  url: string;
  authorizationUrl: string;
  tokenUrl: string;
  introspectionUrl: string;
  clientId: string;
  /** A refresh token for `user`, as after a sign-in. */
  issueRefreshToken(user?: string): string;
  /** Every access token expires now (introspection says inactive). */
  expireAccessTokens(): void;
  /** The refresh token is revoked: refreshing it answers invalid_grant. */
  revoke(refreshToken: string): void;
  /** While true every endpoint answers 503. */
  setUnavailable(down: boolean): void;
  /** How many token requests (each grant type) came in. */
  readonly counts: { authorizationCode: number; refresh: number; introspect: number };
  /** The form of the latest refresh request (to check what a client sends, e.g. `scope`). */
  readonly lastRefresh: URLSearchParams | undefined;
  stop(): Promise<void>;
}

interface Grant {
  user: string;
  codeChallenge: string;
  redirectUri: string;
}

/** Starts the provider on a free loopback port. */
export async function startOAuthProvider(
  options: OAuthProviderOptions = {},
): Promise<OAuthProvider> {
  const clientId = options.clientId ?? 'tidings-test-client';
  const ttl = options.accessTokenSeconds ?? 3600;
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, string>(); // token → user
  const accessTokens = new Map<string, { user: string; expires: number }>();
  const counts = { authorizationCode: 0, refresh: 0, introspect: 0 };
  let down = false;
  let lastRefresh: URLSearchParams | undefined;
  const token = () => randomBytes(24).toString('base64url');
  const idToken = (user: string) => {
    if (!options.idTokenIssuer) return {};
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: options.idTokenIssuer, sub: user, aud: clientId, exp: 4_102_444_800 };
    return { id_token: `${part({ alg: 'RS256' })}.${part(claims)}.c2lnbmF0dXJl` };
  };
  const issueAccess = (user: string) => {
    const access = token();
    accessTokens.set(access, { user, expires: Date.now() + ttl * 1000 });
    return access;
  };

  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (down) return send(503, { error: 'temporarily_unavailable' });
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      const valid =
        q.get('client_id') === clientId &&
        q.get('response_type') === 'code' &&
        q.get('code_challenge_method') === 'S256' &&
        q.get('code_challenge') &&
        // Loopback redirects only: the IP, or localhost (Entra registers http://localhost).
        /^http:\/\/(127\.0\.0\.1|localhost):\d+\//.test(redirectUri);
      if (!valid) return send(400, { error: 'invalid_request' });
      const code = token();
      codes.set(code, {
        user: q.get('login_hint') ?? options.user ?? 'ann',
        codeChallenge: q.get('code_challenge') ?? '',
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state') ?? '');
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (request.method !== 'POST') return send(404, { error: 'not_found' });
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => void setTimeout(() => answer(), options.tokenDelayMs ?? 0));
    const answer = () => {
      const form = new URLSearchParams(raw);
      if (url.pathname === '/introspect') {
        counts.introspect++;
        const entry = accessTokens.get(form.get('token') ?? '');
        if (!entry || entry.expires <= Date.now()) return send(200, { active: false });
        return send(200, { active: true, username: entry.user });
      }
      if (url.pathname !== '/token') return send(404, { error: 'not_found' });
      if (form.get('client_id') !== clientId) return send(401, { error: 'invalid_client' });
      const grantType = form.get('grant_type');
      if (grantType === 'authorization_code') {
        counts.authorizationCode++;
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (
          !grant ||
          grant.codeChallenge !== challenge ||
          grant.redirectUri !== form.get('redirect_uri')
        ) {
          return send(400, { error: 'invalid_grant' });
        }
        const refresh = token();
        refreshTokens.set(refresh, grant.user);
        return send(200, {
          access_token: issueAccess(grant.user),
          refresh_token: refresh,
          token_type: 'Bearer',
          expires_in: ttl,
          ...idToken(grant.user),
        });
      }
      if (grantType === 'refresh_token') {
        counts.refresh++;
        lastRefresh = form;
        const old = form.get('refresh_token') ?? '';
        const user = refreshTokens.get(old);
        if (!user) return send(400, { error: 'invalid_grant', error_description: 'revoked' });
        let refresh: string | undefined;
        if (options.rotateRefreshTokens) {
          refreshTokens.delete(old);
          refresh = token();
          refreshTokens.set(refresh, user);
        }
        return send(200, {
          access_token: issueAccess(user),
          ...(refresh ? { refresh_token: refresh } : {}),
          token_type: 'Bearer',
          expires_in: ttl,
          ...idToken(user),
        });
      }
      return send(400, { error: 'unsupported_grant_type' });
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    authorizationUrl: `${base}/authorize`,
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    counts,
    get lastRefresh() {
      return lastRefresh;
    },
    issueRefreshToken(user = options.user ?? 'ann') {
      const refresh = token();
      refreshTokens.set(refresh, user);
      return refresh;
    },
    expireAccessTokens() {
      for (const entry of accessTokens.values()) entry.expires = 0;
    },
    revoke(refreshToken) {
      refreshTokens.delete(refreshToken);
    },
    setUnavailable(value) {
      down = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
