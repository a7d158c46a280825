/**
 * What the desktop app's accounts log in with: a password decrypted from its safeStorage
 * cipher, or for an OAuth2 account an access token from an `OAuth2TokenSource` fed by the
 * refresh token stored (encrypted) beside it. Rotated refresh tokens are encrypted and stored
 * before their access token is used. The client is the account's own `oauth2.clientId`, else
 * the one this build carries (build-info.ts).
 */
import {
  oauth2Credentials,
  OAuth2TokenSource,
  passwordCredentials,
  resolveOAuth2Endpoints,
  TidingsError,
  type AccessTokenSource,
  type BuiltInClients,
  type CredentialSource,
  type OAuth2Endpoints,
} from '../engine/index.js';
import type { SettingsStore } from './settings-store.js';

/** What the credential source needs. */
export interface AppCredentialDeps {
  store: SettingsStore;
  builtInClients: BuiltInClients;
  encrypt(secret: string): string;
  decrypt(cipher: string): string;
}

/** Passwords and OAuth2 tokens for the app's accounts. */
export function createAppCredentials(deps: AppCredentialDeps): CredentialSource {
  const { store } = deps;
  // One token source per account and endpoints: its cached access token and its one refresh
  // in flight. A changed client or provider makes a new one.
  const sources = new Map<string, { key: string; source: AccessTokenSource }>();
  const passwords = passwordCredentials({
    getPassword: async (id) => {
      const cipher = store.passwordCipher(id);
      if (!cipher) throw new TidingsError('config', `no password stored for ${id}`);
      return deps.decrypt(cipher);
    },
  });
  const tokenSource = (id: string): AccessTokenSource | undefined => {
    const account = store.engineSettings().accounts.find((a) => a.id === id);
    if (account?.auth !== 'oauth2') return undefined;
    let endpoints: OAuth2Endpoints;
    try {
      endpoints = resolveOAuth2Endpoints(
        account.oauth2 ?? { provider: 'custom' },
        deps.builtInClients,
      );
    } catch (error) {
      return failing(error as Error);
    }
    const key = JSON.stringify(endpoints);
    const known = sources.get(id);
    if (known?.key === key) return known.source;
    const binding = { tokenUrl: endpoints.tokenUrl, clientId: endpoints.clientId };
    const source = new OAuth2TokenSource({
      endpoints,
      refreshToken: async () => {
        const cipher = store.refreshToken(id, binding);
        if (!cipher) {
          throw new TidingsError('auth', `${id}: not signed in with this provider: sign in again`);
        }
        return deps.decrypt(cipher);
      },
      saveRefreshToken: (token) => {
        const saved = store.saveRefreshToken(id, { cipher: deps.encrypt(token), binding });
        if (!saved.ok) throw new TidingsError('config', saved.error.message);
      },
    });
    sources.set(id, { key, source });
    return source;
  };
  return oauth2Credentials(tokenSource, passwords);
}

// An OAuth2 account that cannot refresh at all (no client id in this build or the account).
function failing(error: Error): AccessTokenSource {
  return { accessToken: () => Promise.reject(error) };
}
