/**
 * Resync of one selected mailbox from its persisted cursor: baseline on first watch,
 * re-baseline when UIDVALIDITY changed (never flood old mail as new), otherwise find every
 * UID above the high-water mark and go through them in chunks: fetch a chunk, announce those
 * neither \Seen nor \Deleted, and only then move the mark past the chunk. A backlog of 10^5
 * thus costs bounded memory per command and keeps its progress if the connection dies.
 * The same path serves reconnects, refreshes and EXISTS during IDLE.
 */
import type { FetchMessageObject } from 'imapflow';
import { resolvePort, type AccountSettings } from '../../../common/settings-schema.js';
import type { NewMessage } from '../base/index.js';
import type { Announcer } from './announcer.js';
import type { ImapSession, MailboxStatus, SelectedMailbox } from '../imap/index.js';
import type { MailboxCursor, StateStore } from '../base/index.js';
import { decodeRawHeader, displayNameOf, isGarbled } from '../base/index.js';
import { PREVIEW_BYTES, withPreviews } from '../preview/index.js';
import {
  formatSender,
  MAX_SENDER_LENGTH,
  MAX_SUBJECT_LENGTH,
  sanitizeText,
} from '../base/index.js';

/** The most UIDs one UID FETCH of a resync asks for; the cursor is persisted after each. */
export const RESYNC_CHUNK = 1_000;

/** Whether a sync reads its new messages' previews (engine/preview's gate, for one mailbox). */
export interface SyncPreviews {
  /** Asked once per sync with how many new UIDs it found. */
  admit(found: number): boolean;
  /** The FETCH that asked for previews failed: the next sync reads none. */
  failed(): void;
}

/** What one sync did. */
export interface SyncResult {
  announced: number;
  unread: number;
  /** The mark before and after, and how many UIDs above it the search found. */
  markBefore: number;
  markAfter: number;
  found: number;
  /** Set when the sync (re)baselined instead of announcing. */
  baseline?: 'first-watch' | 'uidvalidity-changed' | 'server-changed';
}

/**
 * Where an account points, as cursors remember it ("user@host:port"): a cursor saved for
 * another server is not this mailbox's, whatever its UIDVALIDITY says.
 */
export function serverOf(account: AccountSettings): string {
  return `${account.user}@${account.host.toLowerCase()}:${resolvePort(account)}`;
}

/**
 * True when what the server says of a mailbox (a STATUS, or a SELECT) shows mail the cursor
 * has not accounted for, or cannot tell: no cursor yet, another server's, a new UIDVALIDITY,
 * UIDNEXT − 1 above the mark, or no UIDNEXT at all. Flags and expunges count when the server
 * gives no UNSEEN to follow them by (CONDSTORE's HIGHESTMODSEQ moved).
 */
export function isBehind(
  cursor: MailboxCursor | undefined,
  server: string,
  status: Pick<MailboxStatus, 'uidValidity' | 'uidNext' | 'unseen' | 'highestModseq'>,
): boolean {
  if (!cursor || (cursor.server !== undefined && cursor.server !== server)) return true;
  if (status.uidValidity !== undefined && status.uidValidity !== cursor.uidValidity) return true;
  if (status.uidNext === undefined) return true;
  if (status.uidNext - 1 > cursor.highestUid) return true;
  return status.unseen === undefined && cursor.highestModseq !== status.highestModseq;
}

/**
 * Syncs `mailbox` of `account` through a session that has it selected. `server` names where
 * the account points ("user@host:port"): a cursor saved for another server (the account was
 * edited, or removed and another added under its id) is not this mailbox's, whatever its
 * UIDVALIDITY says, so the mailbox baselines again. A cursor saved before cursors named their
 * server is adopted as it is. `previews` says whether the new messages' previews are read
 * (engine/preview's PreviewGate: not in a storm).
 */
export async function syncMailbox(
  session: ImapSession,
  selected: SelectedMailbox,
  account: string,
  mailbox: string,
  store: StateStore,
  announcer: Announcer,
  server?: string,
  previews?: SyncPreviews,
): Promise<SyncResult> {
  let cursor = store.getCursor(account, mailbox);
  const markBefore = cursor?.highestUid ?? 0;
  let baseline: SyncResult['baseline'];
  const otherServer = cursor?.server !== undefined && cursor.server !== server;
  if (
    cursor &&
    !otherServer &&
    cursor.provisional &&
    cursor.uidValidity !== selected.uidValidity &&
    (await sameMailbox(session, store, account, cursor.highestUid))
  ) {
    // The UIDVALIDITY the mailbox was baselined under, empty, was not the server's to keep
    // (see MailboxCursor.provisional): what lies up to the mark is what was announced under
    // the old number, so the mark stays. Found by the Courier suite: a message delivered
    // during an outage was taken as old mail.
    cursor = { uidValidity: selected.uidValidity, highestUid: cursor.highestUid, server };
    if (selected.exists === 0) cursor.provisional = true;
    store.setCursor(account, mailbox, cursor);
  } else if (!cursor || otherServer || cursor.uidValidity !== selected.uidValidity) {
    baseline = !cursor ? 'first-watch' : otherServer ? 'server-changed' : 'uidvalidity-changed';
    cursor = {
      uidValidity: selected.uidValidity,
      highestUid: Math.max(0, selected.uidNext - 1),
      server,
    };
    if (selected.exists === 0) cursor.provisional = true;
    store.setCursor(account, mailbox, cursor);
  }
  const { uidValidity } = cursor;
  // Seen again with mail in it under the same number: the server keeps it.
  const provisional = cursor.provisional === true && selected.exists === 0;
  const flagged = (next: MailboxCursor): MailboxCursor =>
    provisional ? { ...next, provisional } : next;
  // CONDSTORE: a mod-sequence unchanged since the last full sync means no message came, went
  // or changed flags (RFC 7162 §3.1.1): a reconnect after a long absence costs the SELECT.
  const modseq = selected.highestModseq;
  if (
    !baseline &&
    modseq !== undefined &&
    cursor.highestModseq === modseq &&
    cursor.unread !== undefined &&
    selected.uidNext - 1 <= cursor.highestUid
  ) {
    const mark = cursor.highestUid;
    return { announced: 0, unread: cursor.unread, markBefore: mark, markAfter: mark, found: 0 };
  }
  const uids = await session.uidsAbove(cursor.highestUid);
  // Decided once per sync, before any fetch: a storm found whole costs no preview fetch.
  let previewing = uids.length > 0 && (previews?.admit(uids.length) ?? false);
  let announced = 0;
  for (let start = 0; start < uids.length; start += RESYNC_CHUNK) {
    const chunk = uids.slice(start, start + RESYNC_CHUNK);
    const first: number = chunk[0] ?? cursor.highestUid + 1;
    const last: number = chunk.reduce((max, uid) => Math.max(max, uid), first);
    // Every UID from first to last that exists was in the SEARCH (later mail gets higher
    // UIDs), so the range is exact, and short on the wire however many messages it holds.
    let chunkFetched: FetchMessageObject[];
    try {
      chunkFetched = await session.fetchRange(
        first,
        last,
        chunk.length,
        previewing ? PREVIEW_BYTES : undefined,
      );
    } catch (error) {
      if (!previewing) throw error;
      // What the previews added may be what failed (a BODYSTRUCTURE the server cannot build,
      // or past a response limit): not again for these messages. A connection that lived
      // through a tagged NO fetches them without at once (later mail is previewed again); a
      // lost one resyncs them without.
      previewing = false;
      if (!session.usable) {
        // The next sync finds these messages again: it asks them without previews.
        previews?.failed();
        throw error;
      }
      chunkFetched = await session.fetchRange(first, last, chunk.length);
    }
    const fetched = await repairGarbled(session, chunkFetched);
    let fresh = freshMessages(fetched, account, mailbox, uidValidity);
    if (previewing) fresh = await withPreviews(session, fetched, fresh);
    announced += announcer.announce(account, mailbox, fresh).length;
    // Only now, with the chunk announced, does the mark move past it (skipped ones included).
    cursor = flagged({ uidValidity, highestUid: Math.max(cursor.highestUid, last), server });
    store.setCursor(account, mailbox, cursor);
  }
  const unread = await session.countUnseen();
  // UIDs below SELECT's UIDNEXT that the search (sent after SELECT) did not find were
  // expunged for good: the mark may pass them, so a STATUS's UIDNEXT compares with it exactly.
  // The mod-sequence is kept only from a fresh SELECT (a later sync on the same selection
  // passes none), with the count found after it.
  // Not with a UIDNEXT asked after SELECT (Courier): mail that came in between is below it.
  const highestUid = selected.uidNextAfterSelect
    ? cursor.highestUid
    : Math.max(cursor.highestUid, selected.uidNext - 1);
  const final: MailboxCursor = flagged({ uidValidity, highestUid, server });
  if (modseq !== undefined) Object.assign(final, { highestModseq: modseq, unread });
  if (
    final.highestUid !== cursor.highestUid ||
    final.highestModseq !== cursor.highestModseq ||
    final.unread !== cursor.unread ||
    final.provisional !== cursor.provisional
  ) {
    store.setCursor(account, mailbox, final);
  }
  const result = { announced, unread, markBefore, markAfter: highestUid, found: uids.length };
  return baseline ? { ...result, baseline } : result;
}

/** The most UIDs `sameMailbox` looks at; a mark above it re-baselines as before. */
const PROVISIONAL_CHECK_LIMIT = 100;

/**
 * True when a mailbox baselined empty under a provisional UIDVALIDITY is the same mailbox
 * under its new one: nothing was accounted for yet (mark 0), or UIDs 1 to the mark hold only
 * messages the account announced (by Message-ID). A mailbox deleted and created again with
 * other mail in it is not, and re-baselines.
 */
async function sameMailbox(
  session: ImapSession,
  store: StateStore,
  account: string,
  mark: number,
): Promise<boolean> {
  if (mark === 0) return true;
  if (mark > PROVISIONAL_CHECK_LIMIT) return false;
  const announced = new Set(store.getAnnouncedMessageIds(account));
  const below = await session.fetchRange(1, mark, mark);
  return (
    below.length > 0 &&
    below.every((message) => {
      const id = message.envelope?.messageId?.trim();
      return id !== undefined && id !== '' && announced.has(id);
    })
  );
}

/**
 * Re-reads, from the raw header lines, the subjects and sender names that ENVELOPE delivered
 * garbled (bare 8-bit bytes that are not UTF-8); costs a command only when there are some.
 */
async function repairGarbled(
  session: ImapSession,
  fetched: FetchMessageObject[],
): Promise<FetchMessageObject[]> {
  const garbled = fetched.filter(
    ({ envelope }) => isGarbled(envelope?.subject) || isGarbled(envelope?.from?.[0]?.name),
  );
  if (garbled.length === 0) return fetched;
  const raw = await session.rawHeaders(
    garbled.map((message) => message.uid),
    ['subject', 'from'],
  );
  return fetched.map((message) => {
    const headers = raw.get(message.uid);
    const envelope = message.envelope;
    if (!headers || !envelope) return message;
    const subject = isGarbled(envelope.subject) ? decodeRawHeader(headers, 'subject') : undefined;
    const fromValue = decodeRawHeader(headers, 'from');
    const name = fromValue === undefined ? undefined : displayNameOf(fromValue);
    const [sender, ...others] = envelope.from ?? [];
    const from =
      sender && name && isGarbled(sender.name) ? [{ ...sender, name }, ...others] : envelope.from;
    return { ...message, envelope: { ...envelope, subject: subject ?? envelope.subject, from } };
  });
}

/** The messages of a chunk to announce (neither \Seen nor \Deleted), in UID order. */
function freshMessages(
  fetched: readonly FetchMessageObject[],
  account: string,
  mailbox: string,
  uidValidity: number,
): NewMessage[] {
  return fetched
    .filter((message) => !message.flags?.has('\\Seen') && !message.flags?.has('\\Deleted'))
    .sort((a, b) => a.uid - b.uid)
    .map((message) => toNewMessage(message, account, mailbox, uidValidity));
}

function toNewMessage(
  message: FetchMessageObject,
  account: string,
  mailbox: string,
  uidValidity: number,
): NewMessage {
  const messageId = message.envelope?.messageId?.trim();
  const address = message.envelope?.from?.[0]?.address;
  const listId = message.headers ? listIdOf(message.headers) : undefined;
  return {
    account,
    mailbox,
    uidValidity,
    uid: message.uid,
    messageId: messageId ? sanitizeText(messageId, 998) : null,
    from: formatSender(message.envelope?.from),
    subject: sanitizeText(message.envelope?.subject, MAX_SUBJECT_LENGTH),
    fromAddress: address ? sanitizeText(address, MAX_SENDER_LENGTH).toLowerCase() : null,
    listId: listId ? sanitizeText(listId, MAX_SUBJECT_LENGTH) : null,
  };
}

// RFC 2919 §2: the identifier is the part in angle brackets, ASCII by the RFC's grammar, so it
// is read straight from the raw header even when the phrase before it is encoded.
function listIdOf(headers: Buffer): string | undefined {
  const text = headers.toString('latin1').replace(/\r?\n(?=[ \t])/g, '');
  const bracketed = /^list-id:[^\n]*<([^>\r\n]+)>/im.exec(text)?.[1];
  return bracketed ? `<${bracketed.trim()}>` : decodeRawHeader(headers, 'list-id');
}
