/**
 * Reads and validates `tidings watch --config FILE`. Every problem becomes one line that
 * names the field ("accounts[0].port: expected number"); the caller exits with code 2.
 */
import { readFileSync } from 'node:fs';
import {
  formatIssues,
  settingsSchema,
  type AccountSettings,
  type Settings,
} from '../../../common/settings-schema.js';
import type { OAuth2Endpoints } from '../../engine/auth/index.js';
import { accountResolverFromEnv } from './autoconfig-env.js';
import { endpointsForAccount } from '../credentials/index.js';
import { resolveEmails, type ResolveEmailsDeps } from './resolve-emails.js';
import { ConfigError } from './config-error.js';
import { ResolvedServers } from './resolved-servers.js';

/** What `loadConfig` may also check. */
export interface LoadConfigOptions {
  /**
   * Whether `tidings login` stored a refresh token for the account, for these endpoints.
   * Given (by `tidings watch`), an OAuth2 account with neither that nor a token source in
   * the config is refused as not signed in.
   */
  hasStoredToken?(account: string, endpoints: OAuth2Endpoints): boolean;
  /** For `tidings login`, which makes the token: an OAuth2 account's token sources are not checked. */
  signingIn?: boolean;
  /**
   * The state directory: where what email-only accounts resolved to is remembered, so that a
   * different later answer is refused (see `resolve-emails.ts`). Without it, none is.
   */
  stateDir?: string;
}

/** Loads `file`, or throws a `ConfigError` naming each bad field. Accounts need their `host`. */
export function loadConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): Settings {
  return validateConfig(file, readConfigJson(file), env, options);
}

/**
 * Like `loadConfig`, but an account given by `email` alone is first looked up (see
 * `resolve-emails.ts`); an address nothing was found for is a `ConfigError`.
 */
export async function loadConfigResolved(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
  deps: Partial<ResolveEmailsDeps> = {},
): Promise<Settings> {
  const report = deps.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const memory =
    deps.memory ??
    (options.stateDir !== undefined ? new ResolvedServers(options.stateDir, report) : undefined);
  const resolved = await resolveEmails(readConfigJson(file), {
    resolve: deps.resolve ?? accountResolverFromEnv(env),
    report,
    ...(deps.deadlineMs !== undefined ? { deadlineMs: deps.deadlineMs } : {}),
    ...(memory ? { memory } : {}),
  });
  if (resolved.problems.length > 0) throw new ConfigError(file, resolved.problems);
  return validateConfig(file, resolved.json, env, options);
}

function readConfigJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [`cannot read the file (${code ?? String(error)})`]);
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not the parser's message: V8 quotes the text around the error, which may be a password.
    throw new ConfigError(file, [`not valid JSON: ${describeJsonErrorAt(text)}`]);
  }
}

function validateConfig(
  file: string,
  json: unknown,
  env: NodeJS.ProcessEnv,
  options: LoadConfigOptions,
): Settings {
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  const problems = parsed.data.accounts.flatMap((account, index) =>
    account.auth === 'oauth2'
      ? checkTokenSources(account, `accounts[${index}]`, { file, env, ...options })
      : checkPasswordSources(account, `accounts[${index}]`, env),
  );
  if (problems.length > 0) throw new ConfigError(file, problems);
  return parsed.data;
}

// Headless mode has no keychain: each account needs exactly one password source, and a
// named environment variable must exist before we start.
function checkPasswordSources(
  account: AccountSettings,
  where: string,
  env: NodeJS.ProcessEnv,
): string[] {
  if (!account.password && !account.passwordEnv && !account.passwordCommand) {
    return [`${where}: give one of password, passwordEnv, passwordCommand`];
  }
  if (account.passwordEnv && env[account.passwordEnv] === undefined) {
    return [`${where}.passwordEnv: environment variable ${account.passwordEnv} is not set`];
  }
  return [];
}

// An OAuth2 account refreshes with a client of its provider, from a refresh token that
// `tidings login` stored, refreshTokenEnv or refreshTokenCommand; or a token helper's
// accessTokenCommand hands out access tokens and no client is needed.
function checkTokenSources(
  account: AccountSettings,
  where: string,
  context: LoadConfigOptions & { file: string; env: NodeJS.ProcessEnv },
): string[] {
  const { env, file } = context;
  if (context.signingIn) return [];
  if (account.refreshTokenEnv && env[account.refreshTokenEnv] === undefined) {
    return [`${where}.refreshTokenEnv: environment variable ${account.refreshTokenEnv} is not set`];
  }
  if (account.accessTokenCommand !== undefined) return [];
  let endpoints: OAuth2Endpoints;
  try {
    endpoints = endpointsForAccount(account, env);
  } catch (error) {
    return [`${where}.${(error as Error).message}`];
  }
  const configured = account.refreshTokenEnv ?? account.refreshTokenCommand;
  if (configured === undefined && context.hasStoredToken?.(account.id, endpoints) === false) {
    return [`${where}: not signed in: run tidings login --config ${file} ${account.id}`];
  }
  return [];
}

/**
 * Where `text` stops being JSON, as "line L, column C". Every prefix of JSON text up to the
 * first bad character fails only for ending too soon, and every longer one fails for that
 * character, so a binary search over prefixes finds it without echoing any of the text.
 */
export function describeJsonErrorAt(text: string): string {
  const isValidPrefix = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      // V8 says "Unexpected end of JSON input", or names the position of the end itself.
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message)?.[1];
      return /end of JSON input/.test(message) || Number(position) >= length;
    }
  };
  let good = 0;
  let bad = text.length;
  if (isValidPrefix(bad)) return 'unexpected end of the file';
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (isValidPrefix(middle)) good = middle;
    else bad = middle;
  }
  const before = text.slice(0, good);
  const line = before.split('\n').length;
  const column = good - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
