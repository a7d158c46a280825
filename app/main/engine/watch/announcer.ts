/**
 * Between the watchers and the notifiers: the exactly-once filter across an account's
 * mailboxes (one announcement per Message-ID, so a server-side filter that moves or copies
 * mail does not announce it twice), and nothing else. Every new message goes to the notifier
 * the moment its sync finds it: the stream never waits. Grouping a storm is presentation,
 * done by the popup notifiers (popup-policy.ts), never by holding messages back here.
 */
import type { Announcement, NewMessage } from '../base/index.js';
import type { Clock, Notifier, StateStore } from '../base/index.js';

/** How many announced Message-IDs each account remembers (oldest forgotten first). */
export const REMEMBERED_MESSAGE_IDS = 5_000;

/** Announces new messages once each. */
export class Announcer {
  private readonly remembered = new Map<string, Set<string>>();

  constructor(
    private readonly store: StateStore,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  /** Announces one sync's new messages from one mailbox, at once; returns what was announced. */
  announce(account: string, _mailbox: string, messages: readonly NewMessage[]): Announcement[] {
    const ids = this.messageIds(account);
    // Claimed synchronously, so two mailboxes syncing the same message at once cannot both win.
    const fresh = messages.filter((message) => {
      if (message.messageId === null) return true;
      if (ids.has(message.messageId)) return false;
      ids.add(message.messageId);
      return true;
    });
    if (fresh.length === 0) return [];
    this.persist(account, ids);
    const at = new Date(this.clock.now());
    const announcements = fresh.map((message): Announcement => ({ kind: 'message', message, at }));
    for (const announcement of announcements) this.notifier.notify(announcement);
    return announcements;
  }

  private messageIds(account: string): Set<string> {
    let ids = this.remembered.get(account);
    if (!ids) {
      ids = new Set(this.store.getAnnouncedMessageIds(account));
      this.remembered.set(account, ids);
    }
    return ids;
  }

  private persist(account: string, ids: Set<string>): void {
    // A Set iterates in insertion order: drop the oldest beyond the limit.
    const excess = ids.size - REMEMBERED_MESSAGE_IDS;
    if (excess > 0) {
      let dropped = 0;
      for (const id of ids) {
        if (dropped++ >= excess) break;
        ids.delete(id);
      }
    }
    this.store.setAnnouncedMessageIds(account, [...ids]);
  }
}
