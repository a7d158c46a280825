/**
 * Between the watchers and the notifier: the exactly-once filter across an account's
 * mailboxes (one announcement per Message-ID, so a server-side filter that moves or copies
 * mail does not announce it twice) and the burst policy (above the threshold, one summary).
 */
import type { Announcement, NewMessage } from './announcement.js';
import { senderDisplayName } from './sanitize-text.js';
import type { Clock, Notifier, StateStore } from './ports.js';

/** How many announced Message-IDs each account remembers (oldest forgotten first). */
export const REMEMBERED_MESSAGE_IDS = 5_000;

/** Announces new messages once each, summarising bursts. */
export class Announcer {
  private readonly remembered = new Map<string, Set<string>>();

  constructor(
    private readonly store: StateStore,
    private readonly notifier: Notifier,
    private readonly burstThreshold: () => number,
    private readonly clock: Clock,
  ) {}

  /** Announces one sync's new messages from one mailbox; returns what was shown. */
  announce(account: string, mailbox: string, messages: readonly NewMessage[]): Announcement[] {
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
    const announcements: Announcement[] =
      fresh.length > this.burstThreshold()
        ? [summarize(account, mailbox, fresh, at)]
        : fresh.map((message) => ({ kind: 'message', message, at }));
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

function summarize(
  account: string,
  mailbox: string,
  messages: readonly NewMessage[],
  at: Date,
): Announcement {
  const senders = [...new Set(messages.map((m) => senderDisplayName(m.from)).filter(Boolean))];
  return {
    kind: 'summary',
    account,
    mailbox,
    count: messages.length,
    uids: messages.map((m) => m.uid),
    messageIds: messages.flatMap((m) => (m.messageId === null ? [] : [m.messageId])),
    senders,
    at,
  };
}
