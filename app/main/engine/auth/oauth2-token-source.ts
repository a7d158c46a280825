/**
 * One account's OAuth2 access tokens, from its refresh token (RFC 6749 §6) through
 * oauth4webapi. The access token lives in memory and is refreshed when less than five
 * minutes remain; concurrent callers share one refresh; a rotated refresh token (Microsoft
 * rotates on every use) is saved before the new access token is handed out. Where other
 * processes keep the same tokens (`SharedTokens`), a refresh runs only while no other one
 * does, and an access token one of them got is used while it is valid instead of refreshing.
 * Failures are told apart: a dead grant (`invalid_grant`) is an `auth` error that asks the
 * user to sign in again and is not retried against the provider; an unreachable or failing
 * provider is a `network` error (the watcher backs off, tokens are kept).
 */
import * as oauth from 'oauth4webapi';
import type { AccessTokenSource } from '../base/index.js';
import { withDeadline } from '../base/index.js';
import { TidingsError } from '../base/index.js';
import { isLoopbackAddressOrLocalhost } from '../base/index.js';
import type { OAuth2Endpoints } from './oauth2-providers.js';
import { systemClock, type Clock } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';
import { withoutIdToken } from './oauth2-response.js';

/** An access token and when it expires (milliseconds since the epoch). */
export interface AccessGrant {
  token: string;
  expiresAt: number;
}

/**
 * Tokens that other processes refresh too (the CLI's tokens.json, used by `tidings login`,
 * `check` and `watch` at once). Refreshing one at a time across them is what keeps a
 * provider that rotates refresh tokens from seeing one redeemed twice and revoking the
 * sign-in.
 */
export interface SharedTokens {
  /** Runs `work` while no other process runs one on these tokens; rejects if it cannot start in time. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** The access token saved with the current refresh token, if any. */
  accessToken(): AccessGrant | undefined;
  /** Saves `grant` beside `refreshToken`, the refresh token it came with (rotated or not). */
  saveAccessToken(refreshToken: string, grant: AccessGrant): Promise<void> | void;
}

/** What a token source needs. */
export interface OAuth2TokenSourceOptions {
  endpoints: OAuth2Endpoints;
  /** The current refresh token (the saved one, else the configured seed). */
  refreshToken(): Promise<string>;
  /** Stores a rotated refresh token; awaited before its access token is used. */
  saveRefreshToken(token: string): Promise<void> | void;
  /** Where other processes keep the same tokens; `refreshToken` is then read inside `exclusive`. */
  shared?: SharedTokens;
  clock?: Clock;
  /** Deadline for one token request (default 15 s). */
  timeoutMs?: number;
  /** The provider called this refresh token dead (invalid_grant): a store may drop it. */
  onGrantRefused?(refreshToken: string): Promise<void> | void;
}

/** Refresh when less than this remains of an access token's life. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Assumed lifetime when the provider gives no `expires_in` (RFC 6749 §5.1: RECOMMENDED). */
const DEFAULT_LIFETIME_S = 3600;

/** Access tokens for one account. */
export class OAuth2TokenSource implements AccessTokenSource {
  private cached: AccessGrant | undefined;
  // The access token handed out last: a forced refresh (the server refused it) never takes
  // it back from the shared store.
  private handedOut: string | undefined;
  private inFlight: Promise<string> | undefined;
  // The refresh token the provider called invalid_grant: not sent again until it changes.
  private deadGrant: { refreshToken: string; error: TidingsError } | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: OAuth2TokenSourceOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A valid access token: the cached one unless `forceRefresh` or under five minutes left. */
  accessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    const cached = this.cached;
    if (!options.forceRefresh && cached && this.lasts(cached)) {
      return Promise.resolve(cached.token);
    }
    // One refresh in flight: a forced refresh joins one already running (it is fresh).
    this.inFlight ??= this.renew(options.forceRefresh === true).finally(
      () => (this.inFlight = undefined),
    );
    return this.inFlight;
  }

  /** Drops the cached access token (a server refused it); the next call refreshes. */
  forget(): void {
    this.cached = undefined;
  }

  private async renew(forced: boolean): Promise<string> {
    const { shared } = this.options;
    let token: string;
    if (shared) {
      // Looked at before the lock too: a `tidings check` beside a running `tidings watch`
      // takes the token it got without waiting. Again under the lock: whoever held it before
      // us may have just refreshed, spending the refresh token we would have sent.
      token =
        this.adopt(shared, forced) ??
        (await shared.exclusive(async () => this.adopt(shared, forced) ?? this.refresh(shared)));
    } else {
      token = await this.refresh(undefined);
    }
    this.handedOut = token;
    return token;
  }

  /** The shared access token, if it lasts past the margin and is not the one just refused. */
  private adopt(shared: SharedTokens, forced: boolean): string | undefined {
    const saved = shared.accessToken();
    if (!saved || !this.lasts(saved) || (forced && saved.token === this.handedOut)) return;
    this.cached = saved;
    return saved.token;
  }

  private lasts(grant: AccessGrant): boolean {
    return grant.expiresAt - this.clock.now() > REFRESH_MARGIN_MS;
  }

  private async refresh(shared: SharedTokens | undefined): Promise<string> {
    const refreshToken = await this.options.refreshToken();
    if (this.deadGrant?.refreshToken === refreshToken) throw this.deadGrant.error;
    const started = this.clock.now();
    const answer = await this.request(refreshToken);
    const rotated = answer.refresh_token;
    if (rotated && rotated !== refreshToken) {
      try {
        await this.options.saveRefreshToken(rotated);
      } catch (error) {
        // The provider may have retired the old token already; the user must know now.
        throw new TidingsError(
          'config',
          `could not save the new refresh token: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    const lifetime = answer.expires_in ?? DEFAULT_LIFETIME_S;
    // Counted from before the request: the provider's clock started no later than that.
    this.cached = { token: answer.access_token, expiresAt: started + lifetime * 1000 };
    await shared?.saveAccessToken(rotated ?? refreshToken, this.cached);
    return answer.access_token;
  }

  private async request(refreshToken: string): Promise<oauth.TokenEndpointResponse> {
    const { endpoints } = this.options;
    const tokenUrl = new URL(endpoints.tokenUrl);
    const as: oauth.AuthorizationServer = {
      issuer: tokenUrl.origin,
      token_endpoint: endpoints.tokenUrl,
    };
    const client: oauth.Client = { client_id: endpoints.clientId };
    const auth = endpoints.clientSecret
      ? oauth.ClientSecretPost(endpoints.clientSecret)
      : oauth.None();
    const abort = new AbortController();
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    try {
      const exchange = async () => {
        const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, {
          signal: abort.signal,
          // oauth4webapi refuses http:// endpoints; a provider on this machine (tests, a local
          // bridge) is allowed them, nothing else.
          [oauth.allowInsecureRequests]: isLoopbackAddressOrLocalhost(
            tokenUrl.hostname.replace(/^\[|\]$/g, ''),
          ),
          ...(endpoints.scopeOnRefresh ? { additionalParameters: { scope: endpoints.scope } } : {}),
        });
        // 5xx and 429 are the provider's trouble, not the grant's (RFC 6749 §5.2 has no 5xx).
        if (response.status >= 500 || response.status === 429) {
          throw new TidingsError(
            'network',
            `the sign-in provider is unavailable for now (HTTP ${response.status})`,
          );
        }
        return oauth.processRefreshTokenResponse(as, client, await withoutIdToken(response));
      };
      return await withDeadline(this.clock, exchange(), timeoutMs, 'the token request', () =>
        abort.abort(),
      );
    } catch (error) {
      const failure = this.explain(error);
      if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
        this.deadGrant = { refreshToken, error: failure };
        try {
          // Awaited: under a shared store's lock, the drop is written before the lock is let go.
          await this.options.onGrantRefused?.(refreshToken);
        } catch {
          // Only a store's tidying: the grant is dead whether or not it managed.
        }
      }
      throw failure;
    }
  }

  private explain(error: unknown): TidingsError {
    if (error instanceof TidingsError) {
      // Our deadline: the provider did not answer, which is transient.
      return error.code === 'timeout' ? new TidingsError('network', error.message) : error;
    }
    if (error instanceof oauth.ResponseBodyError) {
      const detail = sanitizeServerText(
        error.error_description ? `${error.error}: ${error.error_description}` : error.error,
      );
      if (error.error === 'temporarily_unavailable') {
        return new TidingsError('network', `the sign-in provider is busy (${detail})`, {
          cause: error,
        });
      }
      return new TidingsError(
        'auth',
        error.error === 'invalid_grant'
          ? `the sign-in has expired or was revoked (${detail}): sign in again`
          : `the sign-in provider refused the request (${detail}): check the OAuth2 client, then sign in again`,
        { cause: error },
      );
    }
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      return new TidingsError('auth', 'the sign-in provider refused the OAuth2 client', {
        cause: error,
      });
    }
    if (error instanceof oauth.OperationProcessingError) {
      return new TidingsError('protocol', `the sign-in provider's answer: ${error.message}`, {
        cause: error,
      });
    }
    // fetch() failed: refused, reset, DNS. Node puts the system error in `cause`.
    const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    return new TidingsError('network', `the sign-in provider cannot be reached${code}`, {
      cause: error,
    });
  }
}
