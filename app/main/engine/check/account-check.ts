/**
 * `tidings check` for one account, step by step: DNS, TCP, TLS (the certificate shown), then
 * a real login with the same session code, credentials and TLS rules as the watchers, then
 * EXAMINE of each watched mailbox. A failed step names its reason; the steps after it are
 * skipped. Results are values: nothing here throws.
 */
import { resolvePort, type AccountSettings } from '../../../common/settings-schema.js';
import { ConnectionSteps, type CertificateReport } from './connection-steps.js';
import type { CredentialSource, Credentials } from '../base/index.js';
import { openSignedIn } from '../auth/index.js';
import { classifyError, TidingsError, type ErrorCode } from '../base/index.js';
import { chooseAll, ImapSession } from '../imap/index.js';
import { silentLogger, systemClock, type Logger } from '../base/index.js';
import { accountSessionOptions } from '../imap/index.js';

/** The steps, in order. `settings` is the CLI's (where an email-only account's came from). */
export type CheckStepName =
  'settings' | 'dns' | 'tcp' | 'tls' | 'login' | 'mailbox' | 'all folders';

/** One step's outcome. */
export interface CheckStep {
  step: CheckStepName;
  /** The mailbox of a `mailbox` step. */
  mailbox?: string;
  status: 'ok' | 'failed' | 'skipped';
  /** What was found, or why it failed, or which step failing skipped it. */
  detail: string;
  /** A failed step's kind, in the watcher's words: auth-failed, tls-error, network, timeout… */
  reason?: string;
  /** settings: where they came from: config, or preset, autoconfig, srv, mx, guess. */
  source?: string;
  /** dns: the addresses found. */
  addresses?: string[];
  /** tcp: the address connected to. */
  address?: string;
  /** tls: the server's certificate (after STARTTLS for a starttls account). */
  certificate?: CertificateReport;
  /** mailbox: how many messages EXAMINE reported. */
  messages?: number;
}

/** What a check needs besides the account. */
export interface AccountCheckOptions {
  credentials: CredentialSource;
  /** The deadline of each step (and of each IMAP command in the login and mailbox steps). */
  timeoutMs: number;
  logger?: Logger;
}

/** Checks `account`; resolves with one step per row, in order, every planned step present. */
export async function runAccountCheck(
  account: AccountSettings,
  options: AccountCheckOptions,
): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const port = resolvePort(account);
  const connection = new ConnectionSteps(account.host, port, options.timeoutMs);
  let failedAt: string | undefined;
  let session: ImapSession | undefined;
  // Runs one step unless an earlier one failed; a thrown error becomes its failed row.
  const run = async (
    step: CheckStepName,
    work: () => Promise<Omit<CheckStep, 'step' | 'status'> & { failed?: boolean }>,
    mailbox?: string,
  ): Promise<void> => {
    const row: CheckStep = { step, ...(mailbox !== undefined ? { mailbox } : {}) } as CheckStep;
    if (failedAt) {
      steps.push({ ...row, status: 'skipped', detail: `${failedAt} failed` });
      return;
    }
    try {
      const { failed, ...result } = await work();
      steps.push({ ...row, status: failed ? 'failed' : 'ok', ...result });
    } catch (error) {
      const failure = classifyError(error);
      const reason = reasonFor(failure.code);
      steps.push({ ...row, status: 'failed', reason, detail: describeFailure(reason, failure) });
    }
    // Mailboxes are siblings: one missing says nothing of the next, unless the connection died.
    const failed = steps.at(-1)?.status === 'failed';
    if (failed && (step !== 'mailbox' || !session?.usable))
      failedAt = mailbox ? `mailbox ${mailbox}` : step;
  };

  let addresses: string[] = [];
  await run('dns', async () => {
    addresses = await connection.lookup();
    const literal = addresses.length === 1 && addresses[0] === account.host;
    return {
      detail: literal
        ? `${account.host} (an IP address)`
        : `${account.host} → ${addresses.join(', ')}`,
      addresses,
    };
  });
  await run('tcp', async () => {
    const address = await connection.connect(addresses);
    return { detail: `connected to ${address} port ${port}`, address };
  });
  await run('tls', async () => {
    if (account.tls === 'none') {
      return { detail: 'none: plain text, no certificate (tls "none", allowInsecureAuth)' };
    }
    try {
      const certificate = await connection.handshake(account.tls, account);
      return tlsResult(certificate, account.tls);
    } finally {
      connection.close();
    }
  });
  connection.close();

  try {
    await run('login', async () => {
      const credentials = await options.credentials.getCredentials(account.id);
      const open = (given: Credentials) =>
        ImapSession.open(
          accountSessionOptions(account, given, {
            commandTimeoutMs: options.timeoutMs,
            socketTimeoutMs: options.timeoutMs * 2,
            clock: systemClock,
            logger: options.logger ?? silentLogger,
            label: `${account.id}/check`,
          }),
        );
      // An access token is not always fresh (the CLI uses one another process stored while
      // it lasts): refused, it is refreshed once and tried again, as the watchers do.
      session = await openSignedIn(
        { credentials: options.credentials, account: account.id },
        credentials,
        open,
      );
      const kind = credentials.kind === 'oauth2' ? 'OAuth2 token' : 'password';
      return { detail: `logged in as ${account.user} (${kind})` };
    });
    for (const mailbox of account.mailboxes) {
      await run(
        'mailbox',
        async () => {
          if (!session?.usable) throw new TidingsError('network', 'the connection was lost');
          const selected = await session.select(mailbox);
          const count = selected.exists === 1 ? '1 message' : `${selected.exists} messages`;
          return { detail: `exists (EXAMINE: ${count})`, messages: selected.exists };
        },
        mailbox,
      );
    }
    if (account.allMailboxes) {
      await run('all folders', async () => {
        if (!session?.usable) throw new TidingsError('network', 'the connection was lost');
        const { listed, otherNamespaces } = await session.listAll();
        const found = chooseAll(listed, account.ignoreMailboxes ?? [], otherNamespaces);
        const shown = found.watched.slice(0, 10).join(', ');
        const more = found.watched.length > 10 ? `, … (${found.watched.length - 10} more)` : '';
        const capped =
          found.qualified > found.watched.length
            ? ` (the first ${found.watched.length} of ${found.qualified})`
            : '';
        const unmatched =
          found.unmatched.length > 0
            ? `; ignoreMailboxes matching nothing: ${found.unmatched.join(', ')}`
            : '';
        return {
          detail: `${found.watched.length} watched${capped}: ${shown}${more}${unmatched}`,
        };
      });
    }
  } finally {
    await (session as ImapSession | undefined)?.logout(2_000);
  }
  return steps;
}

function tlsResult(certificate: CertificateReport, mode: 'implicit' | 'starttls') {
  const how = mode === 'starttls' ? 'STARTTLS' : 'implicit TLS';
  const judged = certificate.trusted
    ? certificate.trustedBy === 'pinned'
      ? 'certificate matches the pin'
      : 'certificate trusted'
    : (certificate.problem ?? 'certificate not trusted');
  if (certificate.trusted) {
    return { detail: `${how}, ${certificate.protocol}, ${judged}`, certificate };
  }
  return {
    failed: true,
    reason: 'tls-error',
    detail: `tls-error: ${judged}`,
    certificate,
  };
}

// The two watcher states that wait for the user lead the text ("auth-failed: login
// rejected: …"); the other kinds are plain from the message and named in `reason`.
function describeFailure(reason: string, failure: TidingsError): string {
  return reason === 'auth-failed' || reason === 'tls-error'
    ? `${reason}: ${failure.message}`
    : failure.message;
}

// The watcher's states for the two that wait for the user; the error code for the rest.
function reasonFor(code: ErrorCode): string {
  if (code === 'auth') return 'auth-failed';
  if (code === 'tls') return 'tls-error';
  return code;
}
