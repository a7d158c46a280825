/**
 * Between the watchers and the notifier: the exactly-once filter across an account's
 * mailboxes (one announcement per Message-ID, so a server-side filter that moves or copies
 * mail does not announce it twice) and the burst policy. A sync with more than the threshold
 * becomes one summary; and since a steady stream arrives a message or two per sync, each
 * mailbox also has a budget of `threshold` popups per window: what comes beyond it is held
 * and shown as one summary when the window ends (or when the engine stops).
 */
import type { Announcement, NewMessage } from './announcement.js';
import { senderDisplayName } from './sanitize-text.js';
import type { Clock, Notifier, StateStore } from './ports.js';

/** How many announced Message-IDs each account remembers (oldest forgotten first). */
export const REMEMBERED_MESSAGE_IDS = 5_000;

/** The popup budget window per mailbox. */
export const BURST_WINDOW_MS = 5_000;

interface MailboxWindow {
  startedAt: number;
  shown: number;
  held: NewMessage[];
  cancelFlush: (() => void) | undefined;
}

/** Announces new messages once each, summarising bursts. */
export class Announcer {
  private readonly remembered = new Map<string, Set<string>>();
  private readonly windows = new Map<string, MailboxWindow>();

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
    const threshold = this.burstThreshold();
    const key = `${account}\u0000${mailbox}`;
    const window = this.windowOf(key);
    const announcements: Announcement[] = [];
    if (window.shown >= threshold) {
      // This window has shown its share: everything joins the summary at its end.
      window.held.push(...fresh);
    } else if (fresh.length > threshold) {
      announcements.push(summarize(account, mailbox, fresh, at));
      window.shown = threshold;
    } else {
      for (const message of fresh) {
        if (window.shown < threshold) {
          announcements.push({ kind: 'message', message, at });
          window.shown++;
        } else {
          window.held.push(message);
        }
      }
    }
    if (window.held.length > 0 && !window.cancelFlush) {
      const wait = Math.max(0, window.startedAt + BURST_WINDOW_MS - this.clock.now());
      window.cancelFlush = this.clock.setTimeout(() => this.flush(key, threshold), wait);
    }
    for (const announcement of announcements) this.notifier.notify(announcement);
    return announcements;
  }

  /** Shows every held message now (the engine is stopping: nothing held may be lost). */
  flushAll(): void {
    for (const key of this.windows.keys()) this.flush(key, this.burstThreshold());
  }

  private windowOf(key: string): MailboxWindow {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || (now - window.startedAt >= BURST_WINDOW_MS && window.held.length === 0)) {
      window = { startedAt: now, shown: 0, held: [], cancelFlush: undefined };
      this.windows.set(key, window);
    }
    return window;
  }

  private flush(key: string, threshold: number): void {
    const window = this.windows.get(key);
    if (!window) return;
    window.cancelFlush?.();
    const held = window.held;
    // A storm that is still going keeps the next window in summary mode.
    this.windows.set(key, {
      startedAt: this.clock.now(),
      shown: held.length > 0 ? threshold : 0,
      held: [],
      cancelFlush: undefined,
    });
    const [first] = held;
    if (!first) return;
    const at = new Date(this.clock.now());
    this.notifier.notify(
      held.length === 1
        ? { kind: 'message', message: first, at }
        : summarize(first.account, first.mailbox, held, at),
    );
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
