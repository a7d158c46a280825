/**
 * Resync of one selected mailbox from its persisted cursor: baseline on first watch,
 * re-baseline when UIDVALIDITY changed (never flood old mail as new), otherwise fetch every
 * UID above the high-water mark, announce those neither \Seen nor \Deleted, and only then
 * move the mark. The same path serves reconnects, refreshes and EXISTS during IDLE.
 */
import type { FetchMessageObject } from 'imapflow';
import type { NewMessage } from './announcement.js';
import type { Announcer } from './announcer.js';
import type { ImapSession, SelectedMailbox } from './imap-session.js';
import type { StateStore } from './ports.js';
import { formatSender, MAX_SUBJECT_LENGTH, sanitizeText } from './sanitize-text.js';

/** What one sync did. */
export interface SyncResult {
  announced: number;
  unread: number;
  /** Set when the sync (re)baselined instead of announcing. */
  baseline?: 'first-watch' | 'uidvalidity-changed';
}

/** Syncs `mailbox` of `account` through a session that has it selected. */
export async function syncMailbox(
  session: ImapSession,
  selected: SelectedMailbox,
  account: string,
  mailbox: string,
  store: StateStore,
  announcer: Announcer,
): Promise<SyncResult> {
  let cursor = store.getCursor(account, mailbox);
  let baseline: SyncResult['baseline'];
  if (!cursor || cursor.uidValidity !== selected.uidValidity) {
    baseline = cursor ? 'uidvalidity-changed' : 'first-watch';
    cursor = { uidValidity: selected.uidValidity, highestUid: Math.max(0, selected.uidNext - 1) };
    store.setCursor(account, mailbox, cursor);
  }
  const fetched = await session.fetchAbove(cursor.highestUid);
  const fresh = fetched
    .filter((message) => !message.flags?.has('\\Seen') && !message.flags?.has('\\Deleted'))
    .sort((a, b) => a.uid - b.uid)
    .map((message) => toNewMessage(message, account, mailbox, selected.uidValidity));
  const announced = announcer.announce(account, mailbox, fresh).length;
  if (fetched.length > 0) {
    const highestUid = Math.max(cursor.highestUid, ...fetched.map((message) => message.uid));
    store.setCursor(account, mailbox, { uidValidity: selected.uidValidity, highestUid });
  }
  const unread = await session.countUnseen();
  return baseline ? { announced, unread, baseline } : { announced, unread };
}

function toNewMessage(
  message: FetchMessageObject,
  account: string,
  mailbox: string,
  uidValidity: number,
): NewMessage {
  const messageId = message.envelope?.messageId?.trim();
  return {
    account,
    mailbox,
    uidValidity,
    uid: message.uid,
    messageId: messageId ? sanitizeText(messageId, 998) : null,
    from: formatSender(message.envelope?.from),
    subject: sanitizeText(message.envelope?.subject, MAX_SUBJECT_LENGTH),
  };
}
