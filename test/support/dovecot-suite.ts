/** The lifecycle most Dovecot-backed test files share. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDovecot, type Dovecot, type DovecotOptions } from './dovecot.js';
import {
  startOAuthProvider,
  type OAuthProvider,
  type OAuthProviderOptions,
} from './oauth-provider.js';

/**
 * Starts one Dovecot for the file (handed to `onStart`), runs the cleanups a test registered
 * after it (last registered first), and stops Dovecot after the file.
 */
export function useDovecotSuite(
  onStart: (dovecot: Dovecot) => void,
  options: DovecotOptions = {},
): {
  cleanups: Array<() => Promise<unknown>>;
} {
  let dovecot: Dovecot | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    dovecot = await startDovecot({}, undefined, options);
    onStart(dovecot);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  return { cleanups };
}

/**
 * The same for OAuth2 suites: a strict identity provider, then a Dovecot whose oauth2 passdb
 * asks it (RFC 7662 introspection); both handed to `onStart`, both stopped after the file.
 */
export function useOAuth2DovecotSuite(
  onStart: (started: { dovecot: Dovecot; provider: OAuthProvider }) => void,
  providerOptions: OAuthProviderOptions = {},
): { cleanups: Array<() => Promise<unknown>> } {
  let provider: OAuthProvider | undefined;
  let dovecot: Dovecot | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    provider = await startOAuthProvider(providerOptions);
    dovecot = await startDovecot({}, undefined, {
      oauth2: { introspectionUrl: provider.introspectionUrl },
    });
    onStart({ dovecot, provider });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await dovecot?.stop();
    await provider?.stop();
  });
  return { cleanups };
}
