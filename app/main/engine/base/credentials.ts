/**
 * Credentials are a port, not a password: on every connect the watcher asks a
 * `CredentialSource` what to log in with, a password or an OAuth2 access token. The sources
 * here adapt what the composition roots have (a `SecretSource`, per-account token sources).
 */
import { TidingsError } from './errors.js';
import type { SecretSource } from './ports.js';

/** What one login uses: a password (LOGIN, AUTH=PLAIN/LOGIN) or an access token (XOAUTH2, OAUTHBEARER). */
export type Credentials =
  { kind: 'password'; password: string } | { kind: 'oauth2'; accessToken: string };

/** Answers what an account logs in with; asked again before every connect. */
export interface CredentialSource {
  /**
   * The credentials for `account`. `forceRefresh`: the server refused the last answer, so a
   * cached access token must not be given again. Rejects with a `TidingsError`: `auth` for a
   * dead grant (the user must sign in again), `network` for a provider that is down for now.
   */
  getCredentials(account: string, options?: { forceRefresh?: boolean }): Promise<Credentials>;
  /** The server refused what `account` logged in with: drop anything cached for it. */
  rejected?(account: string): void;
}

/** Passwords from a `SecretSource` (asked on every connect, never cached here). */
export function passwordCredentials(secrets: SecretSource): CredentialSource {
  return {
    async getCredentials(account) {
      return { kind: 'password', password: await secrets.getPassword(account) };
    },
  };
}

/** Hands out access tokens for one account (an `OAuth2TokenSource`, a token command). */
export interface AccessTokenSource {
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** Drops a cached access token (the server refused it). */
  forget?(): void;
}

/**
 * OAuth2 for the accounts `tokens` answers for, `fallback` (passwords, usually) for the rest.
 * `tokens` is asked on every connect, so a source replaced after a new sign-in is used at once.
 */
export function oauth2Credentials(
  tokens: (account: string) => AccessTokenSource | undefined,
  fallback?: CredentialSource,
): CredentialSource {
  return {
    async getCredentials(account, options) {
      const source = tokens(account);
      if (!source) {
        if (!fallback) throw new TidingsError('config', `${account}: no credentials configured`);
        return fallback.getCredentials(account, options);
      }
      return { kind: 'oauth2', accessToken: await source.accessToken(options) };
    },
    rejected(account) {
      const source = tokens(account);
      if (source) source.forget?.();
      else fallback?.rejected?.(account);
    },
  };
}
