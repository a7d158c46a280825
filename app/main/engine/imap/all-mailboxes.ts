/**
 * `"mailboxes": "all"` (issue 23): which of the mailboxes a server lists can hold new mail.
 * Every selectable mailbox of the personal namespace, except those whose special use says
 * they do not (RFC 6154 and 8457: Trash, Junk, Sent, Drafts, and the virtual ones that repeat
 * every message, Gmail's "All Mail", "Starred" and "Important"), except what the account's
 * `ignoreMailboxes` names. A server without SPECIAL-USE is judged by the usual names
 * (USUAL_NAMES), as imapflow does. Pure: the session lists, this decides.
 */

import type { ListedMailbox } from './mailbox-status.js';

/** Special uses that are not where new mail lands, or that repeat mail from elsewhere. */
export const NOT_NEW_MAIL: ReadonlySet<string> = new Set([
  '\\trash',
  '\\junk',
  '\\sent',
  '\\drafts',
  '\\all',
  '\\flagged',
  '\\important',
]);

/**
 * Names (of the last level, any case) taken as those special uses where the server marks
 * nothing: what Thunderbird, Outlook, Apple Mail and Gmail create.
 */
export const USUAL_NAMES: ReadonlySet<string> = new Set([
  'trash',
  'deleted items',
  'deleted messages',
  'bin',
  'junk',
  'junk e-mail',
  'junk email',
  'spam',
  'bulk mail',
  'sent',
  'sent items',
  'sent messages',
  'sent mail',
  'drafts',
  'draft',
  'outbox',
  'all mail',
  'starred',
  'important',
]);

/** The most mailboxes "all" watches on one account; the rest are named in its status. */
export const MAX_ALL_MAILBOXES = 1_000;

/** What "all" covers on one server, and what it left out. */
export interface AllMailboxes {
  /** Watched, INBOX first, then in the server's order; at most MAX_ALL_MAILBOXES. */
  watched: string[];
  /** How many qualified before the cap. */
  qualified: number;
  /** The `ignoreMailboxes` entries that matched no listed mailbox. */
  unmatched: string[];
}

/**
 * The mailboxes "all" watches among `listed`. `otherNamespaces` are the prefixes of the
 * other users' and shared namespaces (RFC 2342), never watched.
 */
export function chooseAll(
  listed: readonly ListedMailbox[],
  ignore: readonly string[] = [],
  otherNamespaces: readonly string[] = [],
): AllMailboxes {
  const patterns = ignore.map((entry) => ({ entry, test: patternOf(entry), hit: false }));
  const chosen: string[] = [];
  for (const mailbox of listed) {
    if (!holdsNewMail(mailbox)) continue;
    if (otherNamespaces.some((prefix) => prefix !== '' && mailbox.path.startsWith(prefix))) {
      continue;
    }
    const ignored = patterns.filter((pattern) => pattern.test(mailbox.path));
    for (const pattern of ignored) pattern.hit = true;
    if (ignored.length > 0) continue;
    if (!chosen.includes(mailbox.path)) chosen.push(mailbox.path);
  }
  const inbox = chosen.findIndex((path) => path.toUpperCase() === 'INBOX');
  if (inbox > 0) chosen.unshift(...chosen.splice(inbox, 1));
  return {
    watched: chosen.slice(0, MAX_ALL_MAILBOXES),
    qualified: chosen.length,
    unmatched: patterns.filter((pattern) => !pattern.hit).map((pattern) => pattern.entry),
  };
}

/** Whether new mail can land in `mailbox`: selectable, and no special use that says not. */
export function holdsNewMail(mailbox: ListedMailbox): boolean {
  const flags = mailbox.flags.map((flag) => flag.toLowerCase());
  if (flags.includes('\\noselect') || flags.includes('\\nonexistent')) return false;
  if (flags.some((flag) => NOT_NEW_MAIL.has(flag))) return false;
  if (mailbox.specialUse && NOT_NEW_MAIL.has(mailbox.specialUse.toLowerCase())) return false;
  if (mailbox.path.toUpperCase() === 'INBOX') return true;
  const last = mailbox.delimiter ? mailbox.path.split(mailbox.delimiter).at(-1) : mailbox.path;
  return !USUAL_NAMES.has((last ?? mailbox.path).trim().toLowerCase());
}

// A name, or a pattern where "*" stands for any run of characters (the delimiter included).
// INBOX matches in any case, as IMAP names it (RFC 3501 §5.1).
function patternOf(entry: string): (path: string) => boolean {
  if (!entry.includes('*')) {
    return (path) =>
      path === entry || (path.toUpperCase() === 'INBOX' && entry.toUpperCase() === 'INBOX');
  }
  const source = entry
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 'u');
  return (path) => regex.test(path);
}
