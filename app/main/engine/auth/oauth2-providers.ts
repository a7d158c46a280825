/**
 * The OAuth2 providers Tidings knows (Google, Microsoft) and `custom`: where to authorize,
 * where to get tokens, which scope, which client. Pure data; the sign-in flow (the CLI, the
 * desktop app) and the token source both start from `resolveOAuth2Endpoints`.
 */
import type { OAuth2Settings } from '../../../common/settings-schema.js';
import { TidingsError } from '../base/index.js';

/** Everything a sign-in or a refresh needs to talk to the provider. */
export interface OAuth2Endpoints {
  authorizationUrl: string;
  tokenUrl: string;
  /** Space-separated scopes, as sent. */
  scope: string;
  clientId: string;
  clientSecret?: string;
  /** Extra query parameters for the authorization request. */
  authorizeParams: Record<string, string>;
  /** Send `scope` with every refresh too (Microsoft's v2.0 endpoint expects it). */
  scopeOnRefresh?: boolean;
}

/** Client IDs a build carries (TIDINGS_GOOGLE_CLIENT_ID and friends), if any. */
export interface BuiltInClients {
  google?: { clientId: string; clientSecret?: string };
  microsoft?: { clientId: string };
}

type Preset = Pick<
  OAuth2Endpoints,
  'authorizationUrl' | 'tokenUrl' | 'scope' | 'authorizeParams' | 'scopeOnRefresh'
>;

const presets: Record<'google' | 'microsoft', Preset> = {
  google: {
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scope: 'https://mail.google.com/',
    // Without both, Google issues no refresh token when the user has consented before.
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    scopeOnRefresh: false,
  },
  microsoft: {
    // The `common` tenant: work/school (Microsoft 365) and personal (Outlook.com) accounts.
    authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scope: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
    authorizeParams: {},
    scopeOnRefresh: true,
  },
};

/**
 * The endpoints and client of an account's OAuth2 settings. The user's own client (and any
 * URL or scope they give) wins over the built-in one; a client secret is used only with the
 * client it belongs to. Throws a `config` error when no client id is available.
 */
export function resolveOAuth2Endpoints(
  settings: OAuth2Settings,
  builtIn: BuiltInClients = {},
): OAuth2Endpoints {
  const { provider } = settings;
  const base: Preset =
    provider === 'custom'
      ? {
          authorizationUrl: '',
          tokenUrl: '',
          scope: '',
          authorizeParams: {},
          scopeOnRefresh: false,
        }
      : presets[provider];
  const own = settings.clientId !== undefined;
  const shipped = provider === 'custom' ? undefined : builtIn[provider];
  const clientId = settings.clientId ?? shipped?.clientId;
  if (!clientId) {
    throw new TidingsError(
      'config',
      `no OAuth2 client id for ${provider}: this build has none built in; register your own ` +
        'client and set "oauth2.clientId" (see docs/gmail-and-microsoft-365.md)',
    );
  }
  const shippedSecret =
    shipped && 'clientSecret' in shipped && typeof shipped.clientSecret === 'string'
      ? shipped.clientSecret
      : undefined;
  const clientSecret = own ? settings.clientSecret : shippedSecret;
  // The built-in client goes only to its own provider's endpoints: with other URLs, the
  // user brings their own client too.
  if (!own && (settings.authorizationUrl !== undefined || settings.tokenUrl !== undefined)) {
    throw new TidingsError(
      'config',
      `oauth2.tokenUrl: other endpoints than ${provider}'s need your own oauth2.clientId`,
    );
  }
  const authorizationUrl = settings.authorizationUrl ?? base.authorizationUrl;
  const tokenUrl = settings.tokenUrl ?? base.tokenUrl;
  const scope = settings.scope ?? base.scope;
  for (const [key, value] of Object.entries({ authorizationUrl, tokenUrl, scope })) {
    if (!value) throw new TidingsError('config', `oauth2.${key}: a custom provider needs it`);
  }
  return {
    authorizationUrl,
    tokenUrl,
    scope,
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    authorizeParams: { ...base.authorizeParams },
    scopeOnRefresh: base.scopeOnRefresh,
  };
}
