/**
 * "Test connection" for the settings window: connect, log in and LIST the mailboxes with the
 * account's settings, then LOG OUT. Failures come back as values naming what went wrong
 * (DNS, refused, TLS with the certificate's fingerprint, login), never as exceptions.
 */
import type { ConnectionTestResult } from '../../common/ipc-contract.js';
import type { AccountSettings } from '../../common/settings-schema.js';
import { classifyError } from './errors.js';
import { accountSessionOptions, ImapSession } from './imap-session.js';
import { silentLogger, systemClock, type Clock, type Logger } from './ports.js';

/** Tries the account once; resolves with its selectable mailboxes or the failure. */
export async function testConnection(
  account: AccountSettings,
  password: string,
  options: { commandTimeoutMs: number; clock?: Clock; logger?: Logger },
): Promise<ConnectionTestResult> {
  let session: ImapSession | undefined;
  try {
    session = await ImapSession.open(
      accountSessionOptions(account, password, {
        commandTimeoutMs: options.commandTimeoutMs,
        socketTimeoutMs: options.commandTimeoutMs * 2,
        clock: options.clock ?? systemClock,
        logger: options.logger ?? silentLogger,
        label: `${account.id}/test`,
      }),
    );
    const mailboxes = await session.listMailboxes();
    return { ok: true, mailboxes: mailboxes.sort(compareMailboxes) };
  } catch (error) {
    const failure = classifyError(error);
    return { ok: false, code: failure.code, message: failure.message };
  } finally {
    await session?.logout(2_000);
  }
}

// INBOX first, the rest alphabetically.
function compareMailboxes(a: string, b: string): number {
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a.localeCompare(b);
}
