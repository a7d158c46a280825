/**
 * "New since you last looked" (issue 24, Betterbird's "4 new / 599 unread"): the messages
 * announced since the tray's menu was last opened or one of our popups was clicked, less
 * those withdrawn since (read or gone on any device, or by our own buttons). Pure: the tray
 * controller says when the user looked, the composition root feeds announcements and
 * withdrawals. Messages are keyed by (account, mailbox, UIDVALIDITY, UID), so an
 * announcement seen twice counts once and a withdrawal of a message never counted is ignored.
 */
import type { MessageKey } from '../engine/index.js';

/**
 * How many messages are remembered one by one. A storm beyond it is still counted; only the
 * oldest are forgotten by key, so withdrawing one of those no longer lowers the count (until
 * the next look resets it) — memory stays bounded whatever the storm.
 */
export const REMEMBERED_NEW_MESSAGES = 1_000;

/** Counts the mail that is new since the user last looked. */
export class NewMailCount {
  // Keys of the counted messages still remembered, oldest first (a Set keeps insertion order).
  private readonly keys = new Set<string>();
  // Counted messages whose keys were dropped to stay within the bound.
  private forgotten = 0;

  constructor(private readonly limit = REMEMBERED_NEW_MESSAGES) {}

  /** How many messages are new since the last look. */
  get count(): number {
    return this.keys.size + this.forgotten;
  }

  /** A message was announced: counted once. Returns whether the count changed. */
  announce(message: MessageKey): boolean {
    const key = keyOf(message);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.limit) {
      const [oldest] = this.keys;
      if (oldest !== undefined) this.keys.delete(oldest);
      this.forgotten++;
    }
    return true;
  }

  /** A message was read or went away: no longer new. Returns whether the count changed. */
  withdraw(message: MessageKey): boolean {
    return this.keys.delete(keyOf(message));
  }

  /** The user looked (opened the tray's menu, clicked a popup): nothing is new any more. */
  look(): boolean {
    const changed = this.count > 0;
    this.keys.clear();
    this.forgotten = 0;
    return changed;
  }
}

function keyOf({ account, mailbox, uidValidity, uid }: MessageKey): string {
  return JSON.stringify([account, mailbox, uidValidity, uid]);
}
