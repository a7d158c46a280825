/**
 * `"mailboxes": "all"` on one connection: what the latest LIST showed, and what changed since
 * the one before. Which listed mailboxes qualify is `chooseAll`'s (imap/all-mailboxes.ts); this
 * keeps the bookkeeping across lists: how many qualified, which paths exist at all, the
 * mailboxes created while watched (their first mail is new, not a baseline), and the cursors
 * of those that vanished (a rename's new name takes its old one's). No socket: the status
 * watcher lists, this remembers.
 */
import type { Logger, MailboxCursor, StateStore } from '../base/index.js';
import { chooseAll, samePath, type ListedMailbox } from '../imap/index.js';

/** How many cursors of mailboxes gone from the tree are kept for a rename to take. */
const MAX_VANISHED = 100;

/** What one LIST changed. */
export interface TreeChange {
  /** The mailboxes to watch now, in chooseAll's order. */
  watched: string[];
  added: string[];
  gone: string[];
  /** True for a connection's first LIST: what it adds is not "created while watched". */
  first: boolean;
}

/** One account's folder tree, as "all" watches it. */
export class FolderTree {
  private qualified = 0;
  private listedOnce = false;
  private listedPaths = new Set<string>();
  private readonly created = new Set<string>();
  private vanished: MailboxCursor[] = [];

  constructor(
    private readonly account: string,
    private readonly server: string,
    private readonly store: StateStore,
    private readonly logger: Logger,
  ) {}

  /** True once a LIST was taken in. */
  get listed(): boolean {
    return this.listedOnce;
  }

  /** True if the latest LIST showed `path` (watched or not: Trash's STATUS is no news). */
  shows(path: string): boolean {
    return this.listedPaths.has(path);
  }

  /**
   * Takes a LIST in: `watching` is what the connection watches now, `idledElsewhere` what IDLE
   * watchers of the account cover instead (never watched here).
   */
  update(
    list: { listed: ListedMailbox[]; otherNamespaces: string[] },
    ignore: readonly string[],
    watching: readonly string[],
    idledElsewhere: readonly string[],
  ): TreeChange {
    const found = chooseAll(list.listed, ignore, list.otherNamespaces);
    this.listedPaths = new Set(list.listed.map((mailbox) => mailbox.path));
    const watched = found.watched.filter(
      (mailbox) => !idledElsewhere.some((other) => samePath(other, mailbox)),
    );
    if (found.qualified > found.watched.length && found.qualified !== this.qualified) {
      this.logger.warn(
        `${this.account}: "all" watches the first ${found.watched.length} of ${found.qualified} mailboxes`,
      );
    }
    if (!this.listedOnce && found.unmatched.length > 0) {
      this.logger.warn(
        `${this.account}: ignoreMailboxes: ${found.unmatched.map((e) => `"${e}"`).join(', ')} matched no mailbox`,
      );
    }
    this.qualified = found.qualified;
    const gone = watching.filter((mailbox) => !watched.includes(mailbox));
    const added = watched.filter((mailbox) => !watching.includes(mailbox));
    // Kept across lists until a created mailbox takes one: the LIST that shows a rename's new
    // name may come after another that already dropped the old one.
    this.vanished = [
      ...gone
        .map((mailbox) => this.store.getCursor(this.account, mailbox))
        .filter((cursor): cursor is MailboxCursor => cursor?.server === this.server),
      ...this.vanished,
    ].slice(0, MAX_VANISHED);
    for (const mailbox of gone) this.created.delete(mailbox);
    if (this.listedOnce) for (const mailbox of added) this.created.add(mailbox);
    const first = !this.listedOnce;
    this.listedOnce = true;
    return { watched, added, gone, first };
  }

  /**
   * A mailbox created while watched gets its cursor from the first UIDVALIDITY seen of it, by
   * STATUS or by EXAMINE, whichever comes first: a rename keeps its UIDVALIDITY (RFC 3501
   * §6.3.5 lets the server keep it, and Dovecot does), so the cursor of a mailbox that vanished
   * with that UIDVALIDITY moves with it; else everything in it came after the watch began, and
   * is announced from its first message. The resync that follows does the rest. True if
   * `mailbox` was such a mailbox.
   */
  adoptCreated(mailbox: string, uidValidity: number): boolean {
    if (!this.created.delete(mailbox)) return false;
    const current = this.store.getCursor(this.account, mailbox);
    if (current?.server === this.server && current.uidValidity === uidValidity) return true;
    const at = this.vanished.findIndex((old) => old.uidValidity === uidValidity);
    const renamed = at >= 0 ? this.vanished.splice(at, 1)[0] : undefined;
    this.store.setCursor(
      this.account,
      mailbox,
      renamed ?? { uidValidity, highestUid: 0, server: this.server },
    );
    this.logger.info(
      `${this.account}/${mailbox}: ${renamed ? 'renamed: its mark moves with it' : 'created while watched: its mail is new'}`,
    );
    return true;
  }

  /** "all 12 folders", or "the first 1000 of 1200 folders", `covered` being watched. */
  coverage(covered: number): string {
    return this.qualified > covered
      ? `the first ${covered} of ${this.qualified} folders`
      : `all ${covered} folders`;
  }
}
