/**
 * How a watcher authenticates: ask the credential source, open the session, and when the
 * server refuses an OAuth2 access token (AUTHENTICATIONFAILED: revoked early, or expired by
 * a clock we do not share), refresh it once and try once more. A password the server refuses
 * is not tried again: the user must fix it. Either way the source hears of the refusal.
 */
import type { CredentialSource, Credentials } from '../base/index.js';
import { classifyError, TidingsError } from '../base/index.js';
import type { ImapSession } from '../imap/index.js';

/** Who signs in, and with which source. */
export interface SignIn {
  credentials: CredentialSource;
  account: string;
}

/** Opens a session with `first`; an OAuth2 token refused at login gets one forced refresh. */
export async function openSignedIn(
  { credentials, account }: SignIn,
  first: Credentials,
  open: (credentials: Credentials) => Promise<ImapSession>,
): Promise<ImapSession> {
  try {
    return await open(first);
  } catch (error) {
    const failure = classifyError(error);
    if (failure.code !== 'auth' || first.kind !== 'oauth2') throw failure;
    credentials.rejected?.(account);
    const fresh = await credentials.getCredentials(account, { forceRefresh: true });
    try {
      return await open(fresh);
    } catch (again) {
      const refused = classifyError(again);
      if (refused.code !== 'auth') throw refused;
      throw new TidingsError(
        'auth',
        `${refused.message} (a freshly refreshed access token too): sign in again`,
        { cause: again },
      );
    }
  }
}
