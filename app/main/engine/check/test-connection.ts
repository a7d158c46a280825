/**
 * "Test connection" for the settings window: connect, log in and LIST the mailboxes with the
 * account's settings, then LOG OUT. Failures come back as values naming what went wrong
 * (DNS, refused, TLS with the certificate's fingerprint, login), never as exceptions.
 * Each test holds a slot of the caller's gate from connect to LOGOUT: the button can point
 * at any host:port, and a gate of one keeps it from becoming a connection cannon.
 */
import type { ConnectionTestResult } from '../../../common/ipc-contract.js';
import type { AccountSettings } from '../../../common/settings-schema.js';
import type { ConnectGate } from '../imap/index.js';
import type { Credentials } from '../base/index.js';
import { classifyError } from '../base/index.js';
import { ImapSession } from '../imap/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../base/index.js';
import { accountSessionOptions } from '../imap/index.js';

/** What a connection test needs besides the account. */
export interface ConnectionTestOptions {
  commandTimeoutMs: number;
  /** Shared by every test the app runs; each test holds one slot for its whole length. */
  gate: ConnectGate;
  clock?: Clock;
  logger?: Logger;
}

/** Tries the account once; resolves with its selectable mailboxes or the failure. */
export async function testConnection(
  account: AccountSettings,
  password: string | Credentials,
  options: ConnectionTestOptions,
): Promise<ConnectionTestResult> {
  const release = await options.gate.acquire();
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
    try {
      await session?.logout(2_000);
    } finally {
      release();
    }
  }
}

// INBOX first, the rest alphabetically.
function compareMailboxes(a: string, b: string): number {
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a.localeCompare(b);
}
