/**
 * What every command that logs in sets up the same way: the process's signals, and the
 * credentials of a loaded config (passwords, commands, environment variables, OAuth2 tokens).
 */
import type { Settings } from '../../../common/settings-schema.js';
import type { CredentialSource } from '../../engine/index.js';
import {
  ConfigSecretSource,
  createConfigCredentials,
  type TokenFile,
} from '../credentials/index.js';

/**
 * Makes this process the only listener of `signals`, calling `handler` on each. conf writes
 * through `atomically`, whose `when-exit` hooks SIGINT, SIGTERM and SIGHUP with `once` and
 * re-raises them after its own cleanup: left there, every signal would come twice (watch would
 * take the second Ctrl-C for an impatient user, and reload twice on SIGHUP). when-exit's
 * cleanup still runs on the `exit` event a command ends with. Returns how to give them back.
 */
export function takeSignals(
  signals: readonly NodeJS.Signals[],
  handler: (signal: NodeJS.Signals) => void,
): () => void {
  for (const signal of signals) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** A config's credentials, and how to stop the password commands they may have started. */
export interface CommandCredentials {
  credentials: CredentialSource;
  /** Asks the account's secrets anew next time (a rejected one may have been corrected). */
  forget(account: string): void;
  /** Follows a reloaded config. */
  update(settings: Settings): void;
  /** Kills any passwordCommand still running, with what it started. */
  close(): void;
}

/** The credentials of `settings`, with OAuth2 tokens kept in `tokenFile`. */
export function credentialsFor(settings: Settings, tokenFile: TokenFile): CommandCredentials {
  const secrets = new ConfigSecretSource(settings.accounts);
  const tokens = createConfigCredentials({ settings, secrets, tokenFile });
  return {
    credentials: tokens.credentials,
    forget: (account) => {
      secrets.forget(account);
      tokens.forget(account);
    },
    update: (next) => {
      secrets.update(next.accounts);
      tokens.update(next);
    },
    close: () => {
      secrets.close();
      tokens.close();
    },
  };
}
