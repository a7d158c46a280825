/**
 * The OAuth2 token source against the strict local identity provider, with time on a manual
 * clock: caching and the five-minute rule, one refresh in flight, rotated refresh tokens
 * saved before use, `invalid_grant` as a dead grant, a provider that is down or silent, and
 * tokens shared with other processes (a lock around each refresh, their access tokens used).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TidingsError } from '../../../app/main/engine/base/errors.js';
import type { OAuth2Endpoints } from '../../../app/main/engine/auth/oauth2-providers.js';
import {
  OAuth2TokenSource,
  type AccessGrant,
  type SharedTokens,
} from '../../../app/main/engine/auth/oauth2-token-source.js';
import { ManualClock } from '../../support/manual-clock.js';
import { startOAuthProvider, type OAuthProvider } from '../../support/oauth-provider.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function provider(options: Parameters<typeof startOAuthProvider>[0] = {}) {
  const started = await startOAuthProvider(options);
  cleanups.push(() => started.stop());
  return started;
}

function endpointsOf(p: Pick<OAuthProvider, 'authorizationUrl' | 'tokenUrl' | 'clientId'>) {
  return {
    authorizationUrl: p.authorizationUrl,
    tokenUrl: p.tokenUrl,
    clientId: p.clientId,
    scope: 'mail',
    authorizeParams: {},
  } satisfies OAuth2Endpoints;
}

/** A token source whose refresh token lives in `store.token`, saving into it. */
function sourceFor(p: OAuthProvider, clock = new ManualClock(), saveDelay?: Promise<void>) {
  const store = { token: p.issueRefreshToken(), saved: [] as string[] };
  const source = new OAuth2TokenSource({
    endpoints: endpointsOf(p),
    refreshToken: async () => store.token,
    saveRefreshToken: async (token) => {
      await saveDelay;
      store.saved.push(token);
      store.token = token;
    },
    clock,
  });
  return { source, store, clock };
}

/**
 * A token source over tokens other processes share (as the CLI's tokens.json): `events` says
 * what happened inside and outside the lock; `store.access` is what another process saved.
 */
function sharedSourceFor(p: OAuthProvider, clock = new ManualClock()) {
  const store = { token: p.issueRefreshToken(), access: undefined as AccessGrant | undefined };
  const events: string[] = [];
  let locked = false;
  const where = () => (locked ? 'locked' : 'unlocked');
  const shared: SharedTokens = {
    async exclusive(work) {
      locked = true;
      events.push('lock');
      try {
        return await work();
      } finally {
        locked = false;
        events.push('unlock');
      }
    },
    accessToken: () => store.access,
    saveAccessToken(refreshToken, grant) {
      events.push(`save access token (${where()})`);
      if (refreshToken === store.token) store.access = grant;
    },
  };
  const source = new OAuth2TokenSource({
    endpoints: endpointsOf(p),
    refreshToken: async () => {
      events.push(`read refresh token (${where()})`);
      return store.token;
    },
    saveRefreshToken: (token) => {
      events.push(`save refresh token (${where()})`);
      store.token = token;
    },
    onGrantRefused: () => {
      events.push(`drop refresh token (${where()})`);
    },
    shared,
    clock,
  });
  return { source, store, events, clock };
}

async function failure(work: Promise<unknown>): Promise<TidingsError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TidingsError);
  return error as TidingsError;
}

describe('OAuth2TokenSource', () => {
  it('takes an answer with an ID token from an issuer it cannot know, and keeps the rotated refresh token', async () => {
    const p = await provider({
      rotateRefreshTokens: true,
      idTokenIssuer: 'https://login.example.test/realms/mail',
    });
    const { source, store } = sourceFor(p);
    const before = store.token;
    await expect(source.accessToken()).resolves.toEqual(expect.any(String));
    expect(store.saved).toHaveLength(1);
    expect(store.token).not.toBe(before);
  });

  it('keeps the access token until five minutes are left, then refreshes', async () => {
    const p = await provider({ accessTokenSeconds: 3600 });
    const { source, clock } = sourceFor(p);
    const first = await source.accessToken();
    clock.advance(54 * 60_000);
    expect(await source.accessToken()).toBe(first);
    expect(p.counts.refresh).toBe(1);
    clock.advance(2 * 60_000);
    const second = await source.accessToken();
    expect(second).not.toBe(first);
    expect(p.counts.refresh).toBe(2);
  });

  it('refreshes first after a sleep that outlasted the token (resume)', async () => {
    const p = await provider({ accessTokenSeconds: 3600 });
    const { source, clock } = sourceFor(p);
    const before = await source.accessToken();
    clock.advance(8 * 3600_000);
    expect(await source.accessToken()).not.toBe(before);
    expect(p.counts.refresh).toBe(2);
  });

  it('shares one refresh between concurrent callers, forced or not', async () => {
    const p = await provider();
    const { source } = sourceFor(p);
    const tokens = await Promise.all([
      source.accessToken(),
      source.accessToken({ forceRefresh: true }),
      source.accessToken(),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(p.counts.refresh).toBe(1);
    expect(await source.accessToken({ forceRefresh: true })).not.toBe(tokens[0]);
    expect(p.counts.refresh).toBe(2);
  });

  it('saves a rotated refresh token before handing out the access token, and uses it next', async () => {
    const p = await provider({ rotateRefreshTokens: true });
    let releaseSave = () => {};
    const saveGate = new Promise<void>((resolve) => (releaseSave = resolve));
    const { source, store } = sourceFor(p, new ManualClock(), saveGate);
    const seed = store.token;
    let handedOut = false;
    const first = source.accessToken().then((token) => ((handedOut = true), token));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(p.counts.refresh).toBe(1);
    expect(handedOut).toBe(false);
    releaseSave();
    await first;
    expect(store.saved).toHaveLength(1);
    expect(store.saved[0]).not.toBe(seed);
    // The provider retired the seed: only the saved token can refresh now.
    await source.accessToken({ forceRefresh: true });
    expect(store.saved).toHaveLength(2);
  });

  it('calls invalid_grant a dead grant ("sign in again") and does not ask again until a new sign-in', async () => {
    const p = await provider();
    const { source, store } = sourceFor(p);
    p.revoke(store.token);
    const error = await failure(source.accessToken());
    expect(error.code).toBe('auth');
    expect(error.message).toMatch(/invalid_grant.*sign in again/);
    await failure(source.accessToken({ forceRefresh: true }));
    expect(p.counts.refresh).toBe(1);
    store.token = p.issueRefreshToken();
    await expect(source.accessToken()).resolves.toEqual(expect.any(String));
    expect(p.counts.refresh).toBe(2);
  });

  it('sends the scope with a refresh only where the provider wants it (Microsoft)', async () => {
    const p = await provider();
    const plain = sourceFor(p);
    await plain.source.accessToken();
    expect(p.lastRefresh?.get('scope')).toBeNull();
    const withScope = new OAuth2TokenSource({
      endpoints: { ...endpointsOf(p), scopeOnRefresh: true },
      refreshToken: async () => plain.store.token,
      saveRefreshToken: () => {},
    });
    await withScope.accessToken();
    expect(p.lastRefresh?.get('scope')).toBe('mail');
    expect(p.lastRefresh?.get('client_id')).toBe(p.clientId);
  });

  it('calls a provider that is down a network error and keeps the refresh token', async () => {
    const p = await provider({ rotateRefreshTokens: true });
    const { source, store } = sourceFor(p);
    p.setUnavailable(true);
    const error = await failure(source.accessToken());
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/unavailable for now \(HTTP 503\)/);
    p.setUnavailable(false);
    await expect(source.accessToken()).resolves.toEqual(expect.any(String));
    expect(store.saved).toHaveLength(1);
  });

  it('calls a provider that cannot be reached a network error', async () => {
    const p = await provider();
    const { source } = sourceFor(p);
    await p.stop();
    const error = await failure(source.accessToken());
    expect(error).toMatchObject({ code: 'network' });
    expect(error.message).toMatch(/cannot be reached \(ECONNREFUSED\)/);
  });

  it('gives up on a provider that never answers at the deadline, as a network error', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as net.AddressInfo;
    const clock = new ManualClock();
    const source = new OAuth2TokenSource({
      endpoints: endpointsOf({
        authorizationUrl: `http://127.0.0.1:${port}/authorize`,
        tokenUrl: `http://127.0.0.1:${port}/token`,
        clientId: 'c',
      }),
      refreshToken: async () => 'r',
      saveRefreshToken: () => {},
      clock,
      timeoutMs: 5_000,
    });
    const pending = source.accessToken();
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(5_000);
    const error = await failure(pending);
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/no answer within 5 s/);
  });

  it('refreshes shared tokens under the lock: reads, redeems and saves both tokens before letting go', async () => {
    const p = await provider({ rotateRefreshTokens: true });
    const { source, store, events } = sharedSourceFor(p);
    const token = await source.accessToken();
    expect(events).toEqual([
      'lock',
      'read refresh token (locked)',
      'save refresh token (locked)',
      'save access token (locked)',
      'unlock',
    ]);
    expect(store.access?.token).toBe(token);
  });

  it('takes the access token another process saved while five minutes are left, then refreshes', async () => {
    const p = await provider({ accessTokenSeconds: 3600 });
    const { source, store, events, clock } = sharedSourceFor(p);
    store.access = { token: 'from-another-process', expiresAt: clock.now() + 10 * 60_000 };
    expect(await source.accessToken()).toBe('from-another-process');
    expect(events).toEqual([]);
    clock.advance(6 * 60_000);
    const fresh = await source.accessToken();
    expect(fresh).not.toBe('from-another-process');
    expect(p.counts.refresh).toBe(1);
    expect(store.access?.token).toBe(fresh);
  });

  it('on a forced refresh, takes a saved access token only if it is not the one refused', async () => {
    const p = await provider();
    const { source, store, clock } = sharedSourceFor(p);
    const first = await source.accessToken();
    // The server refused `first`, which is also the saved one: it must not come back.
    const second = await source.accessToken({ forceRefresh: true });
    expect(second).not.toBe(first);
    expect(p.counts.refresh).toBe(2);
    // Another process refreshed since: its token was never refused, so it is taken.
    store.access = { token: 'from-another-process', expiresAt: clock.now() + 3600_000 };
    expect(await source.accessToken({ forceRefresh: true })).toBe('from-another-process');
    expect(p.counts.refresh).toBe(2);
  });

  it('drops a dead shared grant before the lock is let go', async () => {
    const p = await provider();
    const { source, store, events } = sharedSourceFor(p);
    p.revoke(store.token);
    expect((await failure(source.accessToken())).code).toBe('auth');
    expect(events).toEqual([
      'lock',
      'read refresh token (locked)',
      'drop refresh token (locked)',
      'unlock',
    ]);
  });

  it('refuses a plain-http token endpoint that is not on this machine', async () => {
    const source = new OAuth2TokenSource({
      endpoints: endpointsOf({
        authorizationUrl: 'http://login.example.com/authorize',
        tokenUrl: 'http://login.example.com/token',
        clientId: 'c',
      }),
      refreshToken: async () => 'r',
      saveRefreshToken: () => {},
    });
    const error = await failure(source.accessToken());
    expect(error.code).not.toBe('auth');
    expect(String((error.cause as Error | undefined)?.message)).toMatch(/https/i);
  });
});
