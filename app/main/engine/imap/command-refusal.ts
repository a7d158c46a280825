/**
 * A server's tagged NO or BAD to one of our commands, in words: the one place that reads
 * imapflow's `responseStatus` and `responseText` and decides what a refusal means.
 */
import { classifyError, sanitizeServerText, TidingsError } from '../base/index.js';
import type { CommandFailure } from './imapflow-internals.js';

/** The refusal in `error` (its status and the server's words, sanitized), if it is one. */
export function refusalOf(
  error: unknown,
  statuses: readonly string[] = ['NO', 'BAD'],
): { status: string; reason: string } | undefined {
  const { responseStatus, responseText } = (error ?? {}) as CommandFailure;
  if (!responseStatus || !statuses.includes(responseStatus)) return undefined;
  return { status: responseStatus, reason: sanitizeServerText(responseText) || responseStatus };
}

/**
 * Turns a refusal of a command that named `path` (SELECT, STATUS) into the error it means:
 * the mailbox is gone or not ours (RFC 5530 NONEXISTENT and its kin), unless the refusal is
 * for now (THROTTLED, too many connections), which says nothing of the mailbox. Anything
 * that is not a refusal with one of `statuses` is thrown as it is.
 */
export function throwMailboxRefusal(
  error: unknown,
  path: string,
  statuses: readonly string[],
): never {
  const refusal = refusalOf(error, statuses);
  if (!refusal) throw error;
  const classified = classifyError(error);
  if (classified.code === 'network') throw classified;
  throw new TidingsError('mailbox', `mailbox not found: ${path} (${refusal.reason})`, {
    cause: error,
  });
}
