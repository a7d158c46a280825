/**
 * The round's bookkeeping of the watcher that watches several mailboxes on one connection
 * (NOTIFY or STATUS polls): what the server has said about each mailbox, and which ones a
 * round must resync. Three rules keep a message from being forgotten (issue 19):
 * - A STATUS (pushed or asked) is kept as the latest word on its mailbox and compared with
 *   the cursor when a round decides what to sync, never only when it arrives: a push that
 *   comes while its mailbox is being resynced is judged against the cursor that resync
 *   leaves, not the one it is about to move.
 * - News without numbers (EXISTS, EXPUNGE, FETCH FLAGS, a mailbox that is back) marks the
 *   mailbox until a resync that began after it, or a STATUS asked after it, answers it.
 * - A mailbox held back because it was resynced often in one round (a server whose STATUS
 *   keeps disagreeing with its SELECT) is not forgotten: it is due again after the next wait.
 * `dueAmong` looks again only at mailboxes something happened to since it last found them not
 * due (see `unchecked`): at 1,000 watched mailboxes, comparing each one's STATUS with its cursor
 * after every wait was a third of the main thread's CPU at rest (bench/RESULTS.md, issue 23).
 */
import type { MailboxStatus } from '../imap/index.js';

/** Compares what the server said of a mailbox with its cursor: true when mail may be missed. */
export type BehindCheck = (mailbox: string, status: MailboxStatus) => boolean;

/** Which watched mailboxes need a resync, and why. */
export class MailboxNews {
  // The latest STATUS each mailbox had, merged: a push may leave out what an earlier one said.
  private readonly reported = new Map<string, MailboxStatus>();
  // Mailboxes with news a resync has not answered yet, with the tick the news came at.
  private readonly unverified = new Map<string, number>();
  // Mailboxes a round held back; due again once the next wait ends.
  private readonly deferred = new Set<string>();
  // Mailboxes whose news may be about messages announced already (a flag changed, one left,
  // fewer unseen): their next resync asks after the messages followed there (issue 24).
  private readonly touched = new Set<string>();
  private tick = 0;
  // Mailboxes that may be due: `dueAmong` found them due, or has not looked at them since
  // something that can make them due happened. What can: a STATUS or its counts noted, news
  // without numbers, the end of a hold-back, a cursor written (the watcher tells,
  // `noteCursor`), a new watched list (all of them). (A resync begun only answers news: it
  // can make a mailbox no longer due, never due.) And every watched mailbox has a STATUS
  // noted within a sweep, whatever else happens.
  private readonly unchecked = new Set<string>();
  // The watched list `dueAmong` was last asked about, and each mailbox's place in it.
  private watched: readonly string[] | undefined;
  private readonly order = new Map<string, number>();

  constructor(private readonly isBehind: BehindCheck) {}

  /** Keeps `status` as the latest word on `mailbox`; true if that makes the mailbox due. */
  noteStatus(mailbox: string, status: MailboxStatus, askedAt?: number): boolean {
    const merged: MailboxStatus = { ...this.reported.get(mailbox), path: status.path };
    mergeDefined(merged, status);
    // A new UIDVALIDITY with no UIDNEXT beside it says nothing of the old UIDNEXT.
    if (status.uidValidity !== undefined && status.uidNext === undefined) delete merged.uidNext;
    this.reported.set(mailbox, merged);
    this.unchecked.add(mailbox);
    // A STATUS asked after the news came answers it: the server counted everything up to then.
    const since = this.unverified.get(mailbox);
    if (askedAt !== undefined && since !== undefined && since <= askedAt) {
      this.unverified.delete(mailbox);
    }
    return this.due(mailbox);
  }

  /** News without numbers for `mailbox`: it is due until a resync answers it. */
  noteChange(mailbox: string): void {
    this.unverified.set(mailbox, ++this.tick);
    this.unchecked.add(mailbox);
  }

  /** News of `mailbox` that may be about announced messages; it is due until a resync. */
  noteTouched(mailbox: string): void {
    this.touched.add(mailbox);
    this.noteChange(mailbox);
  }

  /** True once if `mailbox` was touched since its last resync began (which asks it). */
  takeTouched(mailbox: string): boolean {
    return this.touched.delete(mailbox);
  }

  /**
   * What a resync of `mailbox` found it holds (EXAMINE's EXISTS, the unseen count after it):
   * the counts the next STATUS is compared with (fewer unseen or messages: see the watcher's
   * `onMailboxStatus`). Changes nothing of what is due.
   */
  noteCounts(mailbox: string, counts: { messages: number; unseen: number }): void {
    const reported = this.reported.get(mailbox);
    if (!reported) return;
    // UIDNEXT stays the STATUS's: it decides what is due (a higher one from the EXAMINE would
    // make a Courier mailbox whose last UID was expunged due again at once, see mailbox-sync's
    // uidNextAfterSelect). Counts taken later than it can only make the next comparison ask
    // needlessly, never miss. Only the counts the server's STATUS gives: without UNSEEN,
    // flags are followed by HIGHESTMODSEQ instead (mailbox-sync.ts, `isBehind`).
    const next: MailboxStatus = { ...reported };
    if (reported.messages !== undefined) next.messages = counts.messages;
    if (reported.unseen !== undefined) next.unseen = counts.unseen;
    this.reported.set(mailbox, next);
    this.unchecked.add(mailbox);
  }

  /** `mailbox`'s cursor was written: the next `dueAmong` compares it again. */
  noteCursor(mailbox: string): void {
    this.unchecked.add(mailbox);
  }

  /** A mark to pass to `noteStatus` for a STATUS asked now. */
  now(): number {
    return ++this.tick;
  }

  /** True when `mailbox` needs a resync: news not yet answered, or a STATUS ahead of its cursor. */
  due(mailbox: string): boolean {
    if (this.deferred.has(mailbox)) return false;
    if (this.unverified.has(mailbox)) return true;
    const status = this.reported.get(mailbox);
    return status !== undefined && this.isBehind(mailbox, status);
  }

  /**
   * The due mailboxes among `watched`, in its order. The same as asking `due` of each, but
   * only of those that may have become due since the last call (a new list: all of them).
   */
  dueAmong(watched: readonly string[]): string[] {
    if (watched !== this.watched) {
      this.watched = watched;
      this.order.clear();
      watched.forEach((mailbox, index) => {
        if (!this.order.has(mailbox)) this.order.set(mailbox, index);
        this.unchecked.add(mailbox);
      });
    }
    const due: string[] = [];
    for (const mailbox of this.unchecked) {
      // Not watched (any more): a new list looks at it again if it comes back.
      if (!this.order.has(mailbox) || !this.due(mailbox)) this.unchecked.delete(mailbox);
      else due.push(mailbox);
    }
    return due.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  /**
   * A resync of `mailbox` begins (its SELECT is about to go out): every news so far is
   * answered by it; news from now on is not, whatever the resync finds.
   */
  startSync(mailbox: string): void {
    this.unverified.delete(mailbox);
  }

  /** Holds `mailbox` back until the next wait ends. */
  defer(mailbox: string): void {
    this.deferred.add(mailbox);
  }

  /** A wait ended: mailboxes held back are due again. */
  endWait(): void {
    for (const mailbox of this.deferred) this.noteChange(mailbox);
    this.deferred.clear();
  }

  /** True while some mailbox was held back. */
  get holdsBack(): boolean {
    return this.deferred.size > 0;
  }

  /** True while `mailbox` has news without numbers that no resync or STATUS answered. */
  hasUnverified(mailbox: string): boolean {
    return this.unverified.has(mailbox);
  }

  /** The latest STATUS `mailbox` had, if any. */
  latest(mailbox: string): MailboxStatus | undefined {
    return this.reported.get(mailbox);
  }

  /** Drops everything known of `mailbox` (no longer watched, or a new connection). */
  forget(mailbox: string): void {
    this.reported.delete(mailbox);
    this.unverified.delete(mailbox);
    this.deferred.delete(mailbox);
    this.touched.delete(mailbox);
    this.unchecked.delete(mailbox);
  }
}

/**
 * Copies what `status` says onto `into`, leaving out what it leaves undefined. Field by
 * field: a restart notes 1,000 STATUS answers, and the entries/filter/fromEntries this was
 * showed in its profile (bench/RESULTS.md, issue 23).
 */
function mergeDefined(into: MailboxStatus, status: MailboxStatus): CopiesEveryField {
  if (status.rawPath !== undefined) into.rawPath = status.rawPath;
  if (status.uidValidity !== undefined) into.uidValidity = status.uidValidity;
  if (status.uidNext !== undefined) into.uidNext = status.uidNext;
  if (status.messages !== undefined) into.messages = status.messages;
  if (status.unseen !== undefined) into.unseen = status.unseen;
  if (status.highestModseq !== undefined) into.highestModseq = status.highestModseq;
  return true;
}

// Does not compile once MailboxStatus has a field that `mergeDefined` does not copy.
type Copied =
  'path' | 'rawPath' | 'uidValidity' | 'uidNext' | 'messages' | 'unseen' | 'highestModseq';
type CopiesEveryField = [Exclude<keyof MailboxStatus, Copied>] extends [never] ? true : never;
