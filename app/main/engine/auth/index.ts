/**
 * Sign-in: OAuth2 providers, the browser flow (`signIn`), the access-token source, and
 * opening a session with a forced token refresh when the server refuses a stale one.
 * Code outside this folder imports only from here.
 */
export {
  type BuiltInClients,
  type OAuth2Endpoints,
  resolveOAuth2Endpoints,
} from './oauth2-providers.js';
export { signIn, type SignInOptions, type SignInResult } from './oauth2-sign-in.js';
export {
  type AccessGrant,
  OAuth2TokenSource,
  type OAuth2TokenSourceOptions,
  type SharedTokens,
} from './oauth2-token-source.js';
export { openSignedIn } from './open-signed-in.js';
