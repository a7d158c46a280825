/**
 * `tidings mailboxes --config FILE [--json] ACCOUNT_ID`: logs in as `watch` would and lists
 * the account's selectable mailboxes (LIST without \Noselect), INBOX first, the watched ones
 * marked, and any watched mailbox the server does not have named. Exit 0 when listed, 1 when
 * the server could not be reached or refused the login, 2 for the config or an unknown id.
 */
import { limits } from '../../../common/settings-schema.js';
import { classifyError } from '../../engine/index.js';
import { ImapSession } from '../../engine/imap/index.js';
import { systemClock } from '../../engine/base/index.js';
import { sanitizeServerText } from '../../engine/base/index.js';
import { accountSessionOptions } from '../../engine/imap/index.js';
import { setUpCheck } from './check-setup.js';
import { ConfigError } from '../config/index.js';
import { createStderrLogger } from '../output/index.js';

/** The parsed options of `tidings mailboxes`. */
export interface MailboxesOptions {
  config: string;
  account: string;
  json: boolean;
  stateDir: string | undefined;
  verbose: boolean;
  /** The deadline of the login and of the LIST. */
  timeoutMs: number;
}

/** The JSON document of `tidings mailboxes --json`. */
export interface MailboxesDocument {
  account: string;
  mailboxes: Array<{ path: string; watched: boolean }>;
  /** Watched in the config but not on the server. */
  missing: string[];
}

/** Lists the mailboxes; resolves with the exit code. */
export async function runMailboxes(options: MailboxesOptions): Promise<number> {
  const setup = await setUpCheck(options);
  const logger = createStderrLogger(options.verbose);
  const account = setup.settings.accounts.find((candidate) => candidate.id === options.account);
  if (!account) {
    setup.close();
    const known = setup.settings.accounts.map((a) => a.id).join(', ');
    throw new ConfigError(options.config, [`no account "${options.account}" (accounts: ${known})`]);
  }
  let session: ImapSession | undefined;
  let paths: string[];
  try {
    const credentials = await setup.credentials.getCredentials(account.id);
    session = await ImapSession.open(
      accountSessionOptions(account, credentials, {
        commandTimeoutMs: options.timeoutMs,
        socketTimeoutMs: options.timeoutMs * 2,
        clock: systemClock,
        logger,
        label: `${account.id}/mailboxes`,
      }),
    );
    paths = await session.listMailboxes();
  } catch (error) {
    const failure = classifyError(error);
    const reason = failure.code === 'auth' ? 'auth-failed' : failure.code;
    process.stderr.write(`tidings: ${account.id}: ${reason}: ${failure.message}\n`);
    return 1;
  } finally {
    await session?.logout(2_000);
    setup.close();
  }
  const document = describeMailboxes(account.id, paths, account.mailboxes);
  process.stdout.write(
    options.json ? `${JSON.stringify(document, null, 2)}\n` : formatMailboxes(document),
  );
  return 0;
}

/** The server's mailboxes, INBOX first then alphabetically, each marked watched or not. */
export function describeMailboxes(
  account: string,
  paths: readonly string[],
  watched: readonly string[],
): MailboxesDocument {
  const sorted = [...paths].sort((a, b) =>
    a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a.localeCompare(b),
  );
  // RFC 3501 §5.1: INBOX is case-insensitive; every other name is the server's exact bytes.
  const same = (a: string, b: string) =>
    a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
  return {
    account,
    mailboxes: sorted.map((path) => ({ path, watched: watched.some((w) => same(w, path)) })),
    missing: watched.filter((w) => !paths.some((path) => same(w, path))),
  };
}

/**
 * "* INBOX" for a watched mailbox, "  Archive" for the rest, then what is missing. A name is
 * the server's text: on a terminal it loses escape sequences and controls (`--json` keeps
 * it exact, JSON-escaped).
 */
export function formatMailboxes(document: MailboxesDocument): string {
  const lines = document.mailboxes.map(
    (m) => `${m.watched ? '*' : ' '} ${sanitizeServerText(m.path, limits.mailboxName)}`,
  );
  const missing = document.missing.map((path) => `! ${path} (watched, but not on the server)`);
  const legend = `(${document.mailboxes.length} mailboxes of ${document.account}; * watched)`;
  return [...lines, ...missing, '', legend].join('\n') + '\n';
}
