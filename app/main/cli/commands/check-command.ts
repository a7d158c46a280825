/**
 * `tidings check --config FILE [--json] [--timeout SECONDS]`: checks every account step by
 * step (where its settings came from, DNS, TCP, TLS, login, each watched mailbox), all
 * accounts at once, and prints a table (or one JSON document). Exit 0 when every step
 * passed, 1 when one failed; a config that cannot be used is a `ConfigError` (exit 2).
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import { runAccountCheck, type CheckStep } from '../../engine/check/index.js';
import type { ResolvedAccount } from '../../engine/setup/index.js';
import { resolvePort } from '../../../common/settings-schema.js';
import { allPassed, checkDocument, formatCheckTable, type AccountReport } from '../output/index.js';
import { setUpCheck } from './check-setup.js';
import { createStderrLogger } from '../output/index.js';

/** The parsed options of `tidings check`. */
export interface CheckOptions {
  config: string;
  json: boolean;
  stateDir: string | undefined;
  verbose: boolean;
  /** The deadline of each step. */
  timeoutMs: number;
}

/** Runs the check; resolves with the exit code. */
export async function runCheck(options: CheckOptions): Promise<number> {
  const setup = await setUpCheck(options);
  const logger = createStderrLogger(options.verbose);
  let reports: AccountReport[];
  try {
    reports = await Promise.all(
      setup.settings.accounts.map(async (account) => {
        const steps = await runAccountCheck(account, {
          credentials: setup.credentials,
          timeoutMs: options.timeoutMs,
          logger,
        });
        return {
          id: account.id,
          steps: [settingsStep(account, setup.foundFor(account)), ...steps],
        };
      }),
    );
  } finally {
    setup.close();
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(checkDocument(reports), null, 2)}\n`
      : formatCheckTable(reports),
  );
  return allPassed(reports) ? 0 : 1;
}

/** Where the account's server came from: the config, or the lookup of its address. */
function settingsStep(account: AccountSettings, found: ResolvedAccount | undefined): CheckStep {
  const tls =
    account.tls === 'implicit' ? 'TLS' : account.tls === 'starttls' ? 'STARTTLS' : 'no TLS';
  const where = `${account.host}:${resolvePort(account)} (${tls})`;
  if (!found) {
    return {
      step: 'settings',
      status: 'ok',
      source: 'config',
      detail: `${where}, as in the config`,
    };
  }
  const signIn =
    account.auth === 'oauth2'
      ? `OAuth2${account.oauth2?.provider ? ` (${account.oauth2.provider})` : ''}`
      : found.auth === 'app-password'
        ? 'app password'
        : 'password';
  const hint = found.auth === 'app-password' && found.hint ? `; ${found.hint}` : '';
  return {
    step: 'settings',
    status: 'ok',
    source: found.source,
    detail: `${where}, sign-in: ${signIn} — ${found.sourceLabel}${hint}`,
  };
}
