/**
 * The OAuth2 client of a `tidings watch` account: the user's own (`oauth2.clientId`) or the
 * one named by TIDINGS_GOOGLE_CLIENT_ID / TIDINGS_GOOGLE_CLIENT_SECRET /
 * TIDINGS_MICROSOFT_CLIENT_ID, which a packager sets (Tidings cannot ship its own here).
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import { TidingsError } from '../../engine/index.js';
import {
  resolveOAuth2Endpoints,
  type BuiltInClients,
  type OAuth2Endpoints,
} from '../../engine/auth/index.js';
import type { TokenBinding } from './token-file.js';

const ENV_NAMES = {
  google: 'TIDINGS_GOOGLE_CLIENT_ID',
  microsoft: 'TIDINGS_MICROSOFT_CLIENT_ID',
} as const;

/** The clients the environment names. */
export function builtInClientsFromEnv(env: NodeJS.ProcessEnv): BuiltInClients {
  const google = env[ENV_NAMES.google];
  const googleSecret = env.TIDINGS_GOOGLE_CLIENT_SECRET;
  const microsoft = env[ENV_NAMES.microsoft];
  return {
    ...(google
      ? { google: { clientId: google, ...(googleSecret ? { clientSecret: googleSecret } : {}) } }
      : {}),
    ...(microsoft ? { microsoft: { clientId: microsoft } } : {}),
  };
}

/**
 * The endpoints an OAuth2 account refreshes and signs in with. Throws a `config` error whose
 * message starts with the field to fix ("oauth2.clientId: …").
 */
export function endpointsForAccount(
  account: AccountSettings,
  env: NodeJS.ProcessEnv,
): OAuth2Endpoints {
  const oauth2 = account.oauth2;
  if (!oauth2) {
    throw new TidingsError(
      'config',
      'oauth2: give the provider: {"provider": "google" | "microsoft" | "custom"}',
    );
  }
  const builtIn = builtInClientsFromEnv(env);
  if (!oauth2.clientId && (oauth2.provider === 'custom' || !builtIn[oauth2.provider])) {
    const variable = oauth2.provider === 'custom' ? '' : `, or set ${ENV_NAMES[oauth2.provider]}`;
    throw new TidingsError(
      'config',
      `oauth2.clientId: no client id for ${oauth2.provider}: give oauth2.clientId${variable} ` +
        '(register a client: see docs/gmail-and-microsoft-365.md)',
    );
  }
  try {
    return resolveOAuth2Endpoints(oauth2, builtIn);
  } catch (error) {
    const message = (error as Error).message;
    throw new TidingsError(
      'config',
      message.startsWith('oauth2.') ? message : `oauth2: ${message}`,
      {
        cause: error,
      },
    );
  }
}

/** What a refresh token issued through `endpoints` is bound to in the token file. */
export function bindingOf(endpoints: OAuth2Endpoints): TokenBinding {
  return { tokenUrl: endpoints.tokenUrl, clientId: endpoints.clientId };
}
