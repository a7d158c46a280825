/**
 * What `tidings check` and `tidings mailboxes` share with `tidings watch`: the config (email-only
 * accounts looked up, and where each was found remembered), and the same credentials:
 * passwords from password / passwordEnv / passwordCommand, OAuth2 tokens from the state
 * dir's token file or the configured token sources.
 */
import type { AccountSettings, Settings } from '../../../common/settings-schema.js';
import type { ResolvedAccount } from '../../engine/setup/index.js';
import type { CredentialSource } from '../../engine/index.js';
import { accountResolverFromEnv } from '../config/index.js';
import { credentialsFor, takeSignals } from './command-setup.js';
import { loadConfigResolved } from '../config/index.js';
import { resolveStateDir } from '../config/index.js';
import { createStderrLogger } from '../output/index.js';
import { TokenFile } from '../credentials/index.js';

/** The options both commands take. */
export interface CheckSetupOptions {
  config: string;
  stateDir: string | undefined;
  verbose: boolean;
}

/** A loaded config and its credentials; `close()` stops any password or token command. */
export interface CheckSetup {
  settings: Settings;
  credentials: CredentialSource;
  /** Where an account given by email alone got its server, if it was looked up. */
  foundFor(account: AccountSettings): ResolvedAccount | undefined;
  close(): void;
}

/** Loads the config as `watch` does; a bad one throws `ConfigError` (exit 2). */
export async function setUpCheck(options: CheckSetupOptions): Promise<CheckSetup> {
  const logger = createStderrLogger(options.verbose);
  const found = new Map<string, ResolvedAccount>();
  const lookUp = accountResolverFromEnv(process.env);
  // No hasStoredToken: an OAuth2 account not signed in is this account's failed login step,
  // not a refusal of the whole config, so the other accounts are still checked.
  const stateDir = resolveStateDir(options.stateDir);
  const settings = await loadConfigResolved(
    options.config,
    process.env,
    { stateDir },
    {
      resolve: async (email, signal) => {
        const result = await lookUp(email, signal);
        if (result) found.set(email, result);
        return result;
      },
      // Said in the check's own output instead (its `settings` row).
      report: () => {},
    },
  );
  const tokenFile = new TokenFile(stateDir, logger);
  const secrets = credentialsFor(settings, tokenFile);
  // A passwordCommand runs in its own process group, out of Ctrl-C's reach: on a signal it
  // is killed with what it started (a pinentry), and we exit 130 at once.
  const giveBack = takeSignals(['SIGINT', 'SIGTERM'], () => {
    secrets.close();
    process.stderr.write('tidings: interrupted\n');
    process.exit(130);
  });
  return {
    settings,
    credentials: secrets.credentials,
    foundFor: (account) => {
      const result = account.email === undefined ? undefined : found.get(account.email);
      // Only an account whose server came from the lookup: one that names its own host
      // was not looked up, even if another account with the same address was.
      return result && result.host === account.host ? result : undefined;
    },
    close: () => {
      secrets.close();
      giveBack();
    },
  };
}
