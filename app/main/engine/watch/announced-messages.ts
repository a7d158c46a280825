/**
 * The messages announced since the engine started, while they are still new (issue 24):
 * what a resync asks the FLAGS of, to tell when one became \Seen or left its mailbox. Only
 * these: a `read` or `gone` line is never said of mail announced before the start. Bounded
 * per account (the oldest forgotten first): a day of mail nobody reads costs a fixed amount.
 */
import type { MessageChange, NewMessage } from '../base/index.js';

/** How many still-new announced messages each account follows. */
export const FOLLOWED_PER_ACCOUNT = 500;

/** One followed message. */
export interface FollowedMessage {
  uidValidity: number;
  uid: number;
  messageId: string | null;
}

/** The still-new messages announced since the start, by account and mailbox. */
export class AnnouncedMessages {
  // account → mailbox → uid → message, each Map in the order they were announced; `order`
  // numbers them across mailboxes, so the account's oldest is the least of the firsts.
  private readonly byAccount = new Map<string, Map<string, Map<number, FollowedMessage>>>();
  private readonly counts = new Map<string, number>();
  private readonly order = new WeakMap<FollowedMessage, number>();
  private next = 0;

  /** Follows `message`, just announced. */
  add(message: NewMessage): void {
    const { account, mailbox, uidValidity, uid, messageId } = message;
    let mailboxes = this.byAccount.get(account);
    if (!mailboxes) this.byAccount.set(account, (mailboxes = new Map()));
    let messages = mailboxes.get(mailbox);
    if (!messages) mailboxes.set(mailbox, (messages = new Map()));
    if (!messages.has(uid)) this.counts.set(account, (this.counts.get(account) ?? 0) + 1);
    const followed = { uidValidity, uid, messageId };
    this.order.set(followed, ++this.next);
    messages.delete(uid);
    messages.set(uid, followed);
    if ((this.counts.get(account) ?? 0) > FOLLOWED_PER_ACCOUNT) this.dropOldest(account);
  }

  /** True while some message of `mailbox` is followed (asked at every STATUS: no copy). */
  has(account: string, mailbox: string): boolean {
    return (this.byAccount.get(account)?.get(mailbox)?.size ?? 0) > 0;
  }

  /** The followed messages of `mailbox`, oldest first. */
  in(account: string, mailbox: string): FollowedMessage[] {
    return [...(this.byAccount.get(account)?.get(mailbox)?.values() ?? [])];
  }

  /** Stops following `messages` of `mailbox`. */
  drop(account: string, mailbox: string, messages: readonly FollowedMessage[]): void {
    const followed = this.byAccount.get(account)?.get(mailbox);
    if (!followed) return;
    for (const message of messages) {
      if (followed.delete(message.uid)) {
        this.counts.set(account, (this.counts.get(account) ?? 1) - 1);
      }
    }
    if (followed.size === 0) this.byAccount.get(account)?.delete(mailbox);
  }

  private dropOldest(account: string): void {
    let oldest: { mailbox: string; message: FollowedMessage; at: number } | undefined;
    for (const [mailbox, messages] of this.byAccount.get(account) ?? []) {
      const first = messages.values().next().value;
      const at = first ? (this.order.get(first) ?? 0) : Infinity;
      if (first && (!oldest || at < oldest.at)) oldest = { mailbox, message: first, at };
    }
    if (oldest) this.drop(account, oldest.mailbox, [oldest.message]);
  }
}

/**
 * What came of `message` when its FLAGS were asked: `flags` undefined means it is gone, and
 * so does `\Deleted` (a client that deletes by flag and expunges later, as Thunderbird can).
 */
export function changeOf(
  account: string,
  mailbox: string,
  message: FollowedMessage,
  flags: ReadonlySet<string> | undefined,
): MessageChange | undefined {
  const gone = flags === undefined || flags.has('\\Deleted');
  const event = gone ? 'gone' : flags.has('\\Seen') ? 'read' : undefined;
  if (!event) return undefined;
  const { uidValidity, uid, messageId } = message;
  return { event, account, mailbox, uidValidity, uid, messageId };
}
