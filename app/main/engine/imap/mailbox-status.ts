/** What STATUS (asked, or sent by NOTIFY) told us about a mailbox that is not selected. */
export interface MailboxStatus {
  /** The name, decoded from modified UTF-7. */
  path: string;
  /** The name as the server sent it (Dovecot's NOTIFY sends raw UTF-8, see `statusOf`). */
  rawPath?: string;
  uidValidity?: number;
  uidNext?: number;
  messages?: number;
  unseen?: number;
  highestModseq?: string;
}

/** A mailbox as LIST told it (`"mailboxes": "all"` chooses among these). */
export interface ListedMailbox {
  path: string;
  /** The mailbox attributes (`\\Noselect`, `\\Trash`, …), as the server sent them. */
  flags: readonly string[];
  /** imapflow's reading of its special use (from SPECIAL-USE, or from its name). */
  specialUse?: string | undefined;
  delimiter?: string | undefined;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); every other name is exact. */
export function samePath(a: string, b: string): boolean {
  return a === b || (isInbox(a) && isInbox(b));
}

/** `path` as a key that is the same for every spelling `samePath` takes as equal. */
export function pathKey(path: string): string {
  return isInbox(path) ? 'INBOX' : path;
}

// The length first: no upper-case copy of every other name (samePath runs per watched mailbox).
function isInbox(path: string): boolean {
  return path.length === 5 && path.toUpperCase() === 'INBOX';
}
