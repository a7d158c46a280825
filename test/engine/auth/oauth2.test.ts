/**
 * OAuth2 accounts against a real Dovecot whose oauth2 passdb checks every token with the
 * strict local identity provider (RFC 7662 introspection), through the fault proxy: both
 * SASL mechanisms, token expiry under a live session and at reconnect, Exchange's
 * AccessTokenExpired BYE, a revoked grant, and a provider outage. No message lost, none
 * repeated, the right state reached.
 */
import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../../app/main/engine/watch/backoff.js';
import { oauth2Credentials } from '../../../app/main/engine/base/credentials.js';
import { OAuth2TokenSource } from '../../../app/main/engine/auth/oauth2-token-source.js';
import { systemClock, type Clock } from '../../../app/main/engine/base/ports.js';
import type { Dovecot } from '../../support/dovecot.js';
import { useOAuth2DovecotSuite } from '../../support/dovecot-suite.js';
import {
  announcedIds,
  fastLiveness,
  startEngine,
  testSettings,
} from '../../support/engine-harness.js';
import { startFaultProxy } from '../../support/fault-proxy.js';
import { buildMessage, newMessageId } from '../../support/messages.js';
import type { OAuthProvider } from '../../support/oauth-provider.js';

let provider: OAuthProvider;
let dovecot: Dovecot;

// Rotating, as Microsoft does: a client that reuses a spent refresh token gets invalid_grant.
const { cleanups } = useOAuth2DovecotSuite(
  (started) => {
    ({ dovecot, provider } = started);
  },
  { rotateRefreshTokens: true },
);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Watches `user`'s INBOX as an OAuth2 account through a proxy that records the client's bytes. */
async function watchOAuth(
  user: string,
  extra: {
    backoff?: BackoffPolicy;
    random?: () => number;
    tokenUser?: string;
    /** The token source's clock (the engine keeps the real one). */
    tokenClock?: Clock;
  } = {},
) {
  dovecot.addUser(user, 'pw'); // for APPEND (PLAIN through the passwd-file passdb)
  let sent = '';
  const proxy = await startFaultProxy(dovecot.port, '127.0.0.1', (chunk, fromClient) => {
    if (fromClient) sent += chunk.toString('latin1');
  });
  cleanups.push(() => proxy.close());
  const seed = provider.issueRefreshToken(extra.tokenUser ?? user);
  const store = { token: seed, saved: [] as string[] };
  const source = new OAuth2TokenSource({
    endpoints: {
      authorizationUrl: provider.authorizationUrl,
      tokenUrl: provider.tokenUrl,
      clientId: provider.clientId,
      scope: 'imap',
      authorizeParams: {},
    },
    refreshToken: async () => store.token,
    saveRefreshToken: async (token) => {
      store.saved.push(token);
      store.token = token;
    },
    ...(extra.tokenClock ? { clock: extra.tokenClock } : {}),
  });
  const settings = testSettings(
    [
      {
        id: 'a',
        host: '127.0.0.1',
        port: proxy.port,
        tls: 'none',
        allowInsecureAuth: true,
        user,
        auth: 'oauth2',
        oauth2: {
          provider: 'custom',
          clientId: provider.clientId,
          authorizationUrl: provider.authorizationUrl,
          tokenUrl: provider.tokenUrl,
          scope: 'imap',
        },
      },
    ],
    5,
    fastLiveness,
  );
  // Records which accounts the watcher reported as refused (sources drop cached tokens then).
  const rejected: string[] = [];
  const logs: string[] = [];
  const record = (message: string) => void logs.push(message);
  const inner = oauth2Credentials(() => source);
  const engine = startEngine(settings, undefined, {
    credentials: {
      getCredentials: (account, options) => inner.getCredentials(account, options),
      rejected: (account) => {
        rejected.push(account);
        inner.rejected?.(account);
      },
    },
    logger: { debug: record, info: record, warn: record, error: record },
    ...(extra.backoff ? { backoff: extra.backoff } : {}),
    ...(extra.random ? { random: extra.random } : {}),
  });
  cleanups.push(() => engine.supervisor.stop());
  const ids: string[] = [];
  /** APPENDs one new message and remembers its Message-ID. */
  const append = async () => {
    const id = newMessageId();
    ids.push(id);
    await dovecot.append(user, 'INBOX', [buildMessage({ messageId: id })]);
  };
  const allAnnounced = () =>
    engine.announcements.waitForCount(() => true, ids.length, `${ids.length} announcements`);
  const idleFrom = (from: number, timeoutMs = 15_000) =>
    engine.statuses.waitFor((s) => s.state === 'idle', 'idle', timeoutMs, from);
  return {
    engine,
    settings,
    seed,
    rejected,
    logs,
    proxy,
    store,
    source,
    ids,
    append,
    allAnnounced,
    idleFrom,
    sent: () => sent,
  };
}

describe('OAuth2 against Dovecot', () => {
  it('logs in with AUTHENTICATE OAUTHBEARER when the server offers it', async () => {
    const w = await watchOAuth('bearer');
    await w.engine.allIdle(w.settings);
    expect(w.sent()).toMatch(/^\S+ AUTHENTICATE OAUTHBEARER /m);
    await w.append();
    await w.allAnnounced();
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
    // Neither token reaches the log, not even inside the SASL payload.
    const accessToken = await w.source.accessToken();
    const payload = /AUTHENTICATE OAUTHBEARER (\S+)/.exec(w.sent())?.[1] ?? '';
    expect(Buffer.from(payload, 'base64').toString()).toContain(`auth=Bearer ${accessToken}`);
    expect(w.logs.length).toBeGreaterThan(0);
    for (const secret of [accessToken, payload, w.store.token, w.seed]) {
      expect(w.logs.join('\n')).not.toContain(secret);
    }
  });

  it('logs in with AUTHENTICATE XOAUTH2 when the server offers only that', async () => {
    const w = await watchOAuth('xoauth');
    w.proxy.setServerFilter((text) => text.replace(/ AUTH=OAUTHBEARER/g, ''));
    await w.engine.allIdle(w.settings);
    expect(w.sent()).toMatch(/^\S+ AUTHENTICATE XOAUTH2 /m);
    expect(w.sent()).not.toMatch(/OAUTHBEARER/);
    await w.append();
    await w.allAnnounced();
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
  });

  it('announces mail exactly once across three token expiries and a forced disconnect, saving each rotated refresh token', async () => {
    const w = await watchOAuth('expiries');
    await w.engine.allIdle(w.settings);
    await w.append();
    await w.allAnnounced();
    for (let expiry = 1; expiry <= 3; expiry++) {
      provider.expireAccessTokens();
      // Dovecot checks a token at login only: the live session goes on with an expired one.
      await w.append();
      await w.allAnnounced();
      const refreshes = provider.counts.refresh;
      const from = w.engine.statuses.items.length;
      w.proxy.resetAll();
      await w.append(); // while the watcher reconnects
      await w.idleFrom(from);
      await w.allAnnounced();
      // The cached token was refused (AUTHENTICATIONFAILED): one forced refresh, one retry.
      expect(provider.counts.refresh - refreshes).toBe(1);
      expect(w.rejected).toEqual(Array(expiry).fill('a'));
    }
    // A forced disconnect with the server unreachable for a while; mail arrives meanwhile.
    await w.proxy.setMode('refuse');
    const from = w.engine.statuses.items.length;
    w.proxy.resetAll();
    await w.append();
    await w.engine.statuses.waitFor((s) => s.state === 'backoff', 'backoff', 15_000, from);
    await w.proxy.setMode('pass');
    await w.idleFrom(from);
    await w.allAnnounced();
    await pause(300);
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
    expect(w.engine.statuses.filter((s) => s.state === 'auth-failed')).toEqual([]);
    // Every refresh rotated the token; each new one was saved and used for the next refresh
    // (the provider retires the old one, so reusing it would have been invalid_grant).
    expect(w.store.saved).toHaveLength(4);
    expect(new Set([w.seed, ...w.store.saved]).size).toBe(5);
  });

  it("reconnects at once with a fresh token on Exchange's BYE … AccessTokenExpired", async () => {
    // Any backoff would wait 30 s: the test would time out.
    const w = await watchOAuth('exchange', {
      backoff: { initialMs: 30_000, maxMs: 30_000 },
      random: () => 1,
    });
    await w.engine.allIdle(w.settings);
    const refreshes = provider.counts.refresh;
    const from = w.engine.statuses.items.length;
    w.proxy.bye('Session invalidated - AccessTokenExpired', 'close');
    await w.append();
    await w.idleFrom(from, 5_000);
    await w.allAnnounced();
    const since = w.engine.statuses.items.slice(from);
    expect(since.map((s) => s.state)).not.toContain('backoff');
    expect(since[0]?.detail).toMatch(/AccessTokenExpired; signing in again/);
    expect(provider.counts.refresh - refreshes).toBe(1);
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
  });

  it('refreshes before logging in after a sleep that outlasted the token (resume)', async () => {
    let slept = 0;
    const tokenClock: Clock = { ...systemClock, now: () => Date.now() + slept };
    const w = await watchOAuth('resume', { tokenClock });
    await w.engine.allIdle(w.settings);
    const refreshes = provider.counts.refresh;
    // Eight hours asleep: the NAT mapping is gone, every token has run out, mail came in.
    slept = 8 * 3600_000;
    provider.expireAccessTokens();
    w.proxy.killSilently();
    await w.append();
    const from = w.engine.statuses.items.length;
    w.engine.supervisor.wakeAll('resume');
    await w.idleFrom(from);
    await w.allAnnounced();
    // The five-minute rule refreshed first: no login with the stale token was tried.
    expect(provider.counts.refresh - refreshes).toBe(1);
    expect(w.rejected).toEqual([]);
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
  });

  it('stops at auth-failed with "sign in again" on invalid_grant, without a retry loop, and resumes after a new sign-in', async () => {
    const w = await watchOAuth('revoked');
    await w.engine.allIdle(w.settings);
    provider.revoke(w.store.token);
    provider.expireAccessTokens();
    const refreshes = provider.counts.refresh;
    const from = w.engine.statuses.items.length;
    w.proxy.resetAll();
    const failed = await w.engine.statuses.waitFor(
      (s) => s.state === 'auth-failed',
      'auth-failed',
      15_000,
      from,
    );
    expect(failed.detail).toMatch(/invalid_grant.*sign in again/);
    const after = w.engine.statuses.items.length;
    const connections = w.proxy.accepted;
    await pause(3_000);
    expect(provider.counts.refresh - refreshes).toBe(1);
    expect(w.proxy.accepted).toBe(connections);
    expect(w.engine.statuses.items.length).toBe(after);
    // The user signs in again (a new refresh token) and presses retry.
    await w.append();
    w.store.token = provider.issueRefreshToken('revoked');
    w.engine.supervisor.retry('a');
    await w.idleFrom(after);
    await w.allAnnounced();
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
  });

  it('stops at auth-failed after one forced refresh when the server refuses fresh tokens too', async () => {
    // The provider vouches for another user: Dovecot refuses every token for this login.
    const w = await watchOAuth('mismatch', { tokenUser: 'someone-else' });
    const refreshes = provider.counts.refresh;
    const failed = await w.engine.statuses.waitFor((s) => s.state === 'auth-failed', 'auth-failed');
    expect(failed.detail).toMatch(/freshly refreshed access token too\): sign in again/);
    await pause(1_500);
    expect(provider.counts.refresh - refreshes).toBe(2);
    expect(w.proxy.accepted).toBe(2);
    expect(w.rejected).toEqual(['a', 'a']);
  });

  it('backs off while the identity provider is down ([UNAVAILABLE] at login, 503 on refresh), keeps the tokens, and recovers', async () => {
    const w = await watchOAuth('outage');
    await w.engine.allIdle(w.settings);
    const { token } = w.store;
    provider.setUnavailable(true);
    const from = w.engine.statuses.items.length;
    w.proxy.resetAll();
    // Dovecot cannot introspect the token: NO [UNAVAILABLE], transient.
    await w.engine.statuses.waitFor(
      (s) => s.state === 'backoff' && /server busy/.test(s.detail),
      'backoff for UNAVAILABLE',
      15_000,
      from,
    );
    await w.append();
    // With no token in hand the refresh itself meets the outage.
    w.source.forget();
    await w.engine.statuses.waitFor(
      (s) => s.state === 'backoff' && /sign-in provider is unavailable/.test(s.detail),
      'backoff for the token endpoint',
      15_000,
      from,
    );
    expect(w.store.token).toBe(token);
    provider.setUnavailable(false);
    await w.idleFrom(from);
    await w.allAnnounced();
    expect(w.engine.statuses.filter((s) => s.state === 'auth-failed')).toEqual([]);
    expect(announcedIds(w.engine.announcements)).toEqual(w.ids);
  });
});
