/**
 * A view of the state store that tells of each cursor written through it: the watcher of many
 * mailboxes compares a mailbox's STATUS with its cursor again only when one of them changed
 * (mailbox-news.ts), so it must hear of every cursor it moves (a resync, a baseline, a rename
 * adopted), wherever in the watch code that happens.
 */
import type { StateStore } from '../base/index.js';

/** `store`, with `written(mailbox)` called after each `setCursor`. */
export function noteCursorWrites(
  store: StateStore,
  written: (mailbox: string) => void,
): StateStore {
  return {
    getCursor: (account, mailbox) => store.getCursor(account, mailbox),
    setCursor: (account, mailbox, cursor) => {
      store.setCursor(account, mailbox, cursor);
      written(mailbox);
    },
    getAnnouncedMessageIds: (account) => store.getAnnouncedMessageIds(account),
    setAnnouncedMessageIds: (account, ids) => store.setAnnouncedMessageIds(account, ids),
    flush: () => store.flush?.(),
  };
}
