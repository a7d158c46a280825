/**
 * What each `tidings watch` account logs in with. Password accounts: the config's password
 * source. OAuth2 accounts, the first of: the refresh token `tidings login` stored (or one the
 * provider rotated since), `refreshTokenEnv`, `refreshTokenCommand` (run once per process,
 * like a passwordCommand) — each refreshed by an `OAuth2TokenSource` whose rotated tokens go
 * to the token file, so the next start prefers them over the configured seed — or else
 * `accessTokenCommand`, run before every connect (an external helper keeps the tokens).
 */
import type { AccountSettings, Settings } from '../../../common/settings-schema.js';
import {
  oauth2Credentials,
  passwordCredentials,
  type AccessTokenSource,
  type CredentialSource,
} from '../../engine/base/index.js';
import { TidingsError } from '../../engine/index.js';
import { OAuth2TokenSource } from '../../engine/auth/index.js';
import type { ConfigSecretSource } from './config-secret-source.js';
import { startFirstLineCommand, type CommandRun } from './first-line-command.js';
import { bindingOf, endpointsForAccount } from './oauth2-client.js';
import type { TokenFile } from './token-file.js';

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** What the CLI's credentials are made from. */
export interface ConfigCredentialsOptions {
  settings: Settings;
  secrets: ConfigSecretSource;
  tokenFile: TokenFile;
  env?: NodeJS.ProcessEnv;
  commandTimeoutMs?: number;
}

/** The credential source of `tidings watch`, and a way to stop its commands. */
export interface ConfigCredentials {
  credentials: CredentialSource;
  /**
   * Drops an account's remembered refreshTokenCommand answer (the provider or the server
   * refused it), so the next try runs the command anew, as for a passwordCommand.
   */
  forget(account: string): void;
  /** Takes a reloaded config: new and changed OAuth2 accounts get new token sources. */
  update(settings: Settings): void;
  /** Kills every token command still running. */
  close(): void;
}

/** Builds one token source per OAuth2 account, passwords for the rest. */
export function createConfigCredentials(options: ConfigCredentialsOptions): ConfigCredentials {
  const env = options.env ?? process.env;
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const running = new Set<CommandRun>();
  const run = (command: string, name: string): Promise<string> => {
    const started = startFirstLineCommand(command, name, timeoutMs);
    running.add(started);
    return started.output.finally(() => running.delete(started));
  };
  const sources = new Map<string, AccessTokenSource>();
  const seeds = new Map<string, Seed>();
  // The settings each account's source was built from, to tell a changed one on reload.
  const builtFrom = new Map<string, string>();
  const build = (settings: Settings) => {
    const next = new Set<string>();
    for (const account of settings.accounts) {
      if (account.auth !== 'oauth2') continue;
      next.add(account.id);
      const key = JSON.stringify(account);
      // Unchanged: its token source (and the access token it holds) goes on as it was.
      if (builtFrom.get(account.id) === key) continue;
      const seed = seedSource(account, env, run);
      seeds.set(account.id, seed);
      sources.set(
        account.id,
        tokenSourceFor(account, { env, tokenFile: options.tokenFile, run }, seed),
      );
      builtFrom.set(account.id, key);
    }
    for (const id of [...builtFrom.keys()]) {
      if (next.has(id)) continue;
      builtFrom.delete(id);
      seeds.delete(id);
      sources.delete(id);
    }
  };
  build(options.settings);
  return {
    update: build,
    credentials: oauth2Credentials(
      (account) => sources.get(account),
      passwordCredentials(options.secrets),
    ),
    forget: (account) => seeds.get(account)?.forget(),
    close: () => running.forEach((command) => command.stop()),
  };
}

/** An account's configured refresh token. */
interface Seed {
  get(): Promise<string>;
  forget(): void;
}

type Run = (command: string, name: string) => Promise<string>;

interface TokenContext {
  env: NodeJS.ProcessEnv;
  tokenFile: TokenFile;
  run: Run;
}

function tokenSourceFor(
  account: AccountSettings,
  context: TokenContext,
  seed: Seed,
): AccessTokenSource {
  const { tokenFile, env } = context;
  const endpoints = account.oauth2 ? tryEndpoints(account, env) : undefined;
  const binding = endpoints && bindingOf(endpoints);
  const stored = () => (binding ? tokenFile.get(account.id, binding) : undefined);
  if (account.accessTokenCommand !== undefined && (!endpoints || stored() === undefined)) {
    return accessTokenCommandSource(account.accessTokenCommand, context);
  }
  if (!endpoints || !binding) {
    // loadConfig refused this already; say it again rather than guess.
    throw new TidingsError('config', `${account.id}: no OAuth2 client`);
  }
  return new OAuth2TokenSource({
    endpoints,
    // Read on every refresh, under the file's lock: a token rotated or signed in since (by
    // another tidings process) wins over the seed.
    refreshToken: async () => stored() ?? (await seed.get()),
    saveRefreshToken: (token) => tokenFile.save(account.id, binding, token),
    // `tidings login`, `check` and `watch` refresh one at a time, and use each other's access
    // tokens while they last (kept only beside a stored refresh token, never beside a seed).
    shared: {
      exclusive: async (work) => {
        // A refreshTokenCommand (a pinentry, say) is asked before the lock is taken, not
        // while the other processes wait on it; its answer is kept for the refresh inside.
        if (stored() === undefined && hasSeed(account)) await seed.get();
        return tokenFile.exclusive(work);
      },
      accessToken: () => tokenFile.accessToken(account.id, binding),
      saveAccessToken: (refreshToken, grant) =>
        tokenFile.saveAccessToken(account.id, binding, refreshToken, grant),
    },
    // A dead stored token must not hide a configured one forever (a provider that rotates
    // makes every token a stored one): dropped, the next try asks the seed again.
    onGrantRefused: async (token) => {
      if (hasSeed(account)) await tokenFile.drop(account.id, token);
    },
  });
}

function hasSeed(account: AccountSettings): boolean {
  return account.refreshTokenEnv !== undefined || account.refreshTokenCommand !== undefined;
}

/** The configured refresh token, if any; a refreshTokenCommand runs once, when first needed. */
function seedSource(account: AccountSettings, env: NodeJS.ProcessEnv, run: Run): Seed {
  let fromCommand: Promise<string> | undefined;
  let answered = false;
  const get = async () => {
    if (account.refreshTokenEnv !== undefined) {
      const value = env[account.refreshTokenEnv];
      if (value) return value;
      throw new TidingsError(
        'config',
        `environment variable ${account.refreshTokenEnv} is not set`,
      );
    }
    if (account.refreshTokenCommand === undefined) {
      throw new TidingsError('auth', 'not signed in: run tidings login');
    }
    if (!fromCommand) {
      const running = run(account.refreshTokenCommand, 'refreshTokenCommand');
      fromCommand = running;
      answered = false;
      // A failed run is not kept: the next connect runs it again.
      running.then(
        () => (answered = fromCommand === running),
        () => {
          if (fromCommand === running) fromCommand = undefined;
        },
      );
    }
    return fromCommand;
  };
  return {
    get,
    forget() {
      // A run in flight is already a fresh ask.
      if (answered) fromCommand = undefined;
      answered = false;
    },
  };
}

/** Access tokens from a helper (oama, pizauth): one run per connect, shared while it runs. */
function accessTokenCommandSource(command: string, context: TokenContext): AccessTokenSource {
  let inFlight: Promise<string> | undefined;
  return {
    accessToken() {
      inFlight ??= context.run(command, 'accessTokenCommand').finally(() => (inFlight = undefined));
      return inFlight;
    },
  };
}

function tryEndpoints(account: AccountSettings, env: NodeJS.ProcessEnv) {
  try {
    return endpointsForAccount(account, env);
  } catch {
    return undefined;
  }
}
