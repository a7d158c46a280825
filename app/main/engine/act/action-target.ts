/**
 * Where Delete and Archive move a message (issue 24): the mailbox the server marks with the
 * special use (RFC 6154 `\Trash`, `\Archive`), else the account's `trashMailbox` /
 * `archiveMailbox`, else, for Delete, the names mail clients create. Pure: the session lists,
 * this decides. Undefined when there is none: the action is then not offered.
 */
import type { ListedMailbox } from '../imap/index.js';

/** What a popup can do to its message. */
export type MessageAction = 'read' | 'delete' | 'archive';

export const MESSAGE_ACTIONS: readonly MessageAction[] = ['read', 'delete', 'archive'];

/** The last level of a Trash's name, any case, where no mailbox is marked `\Trash`. */
const TRASH_NAMES: readonly string[] = ['trash', 'deleted items', 'deleted messages', 'bin'];

/** What the account's settings say of the mailboxes Delete and Archive move to. */
export interface ActionMailboxes {
  trashMailbox?: string;
  archiveMailbox?: string;
}

/** A move's destination, or why there is none. */
export type ActionTarget = { path: string } | { missing: string };

/** The mailbox `action` (delete or archive) moves to, among `listed`. */
export function targetOf(
  action: Exclude<MessageAction, 'read'>,
  listed: readonly ListedMailbox[],
  settings: ActionMailboxes,
): ActionTarget {
  const use = action === 'delete' ? '\\trash' : '\\archive';
  const selectable = listed.filter(
    (mailbox) =>
      !mailbox.flags.some((flag) => ['\\noselect', '\\nonexistent'].includes(flag.toLowerCase())),
  );
  const marked = selectable.find(
    (mailbox) =>
      mailbox.specialUse?.toLowerCase() === use ||
      mailbox.flags.some((flag) => flag.toLowerCase() === use),
  );
  if (marked) return { path: marked.path };
  const configured = action === 'delete' ? settings.trashMailbox : settings.archiveMailbox;
  const field = action === 'delete' ? 'trashMailbox' : 'archiveMailbox';
  if (configured !== undefined) {
    return selectable.some((mailbox) => mailbox.path === configured)
      ? { path: configured }
      : { missing: `${field} "${configured}" is not on the server` };
  }
  if (action === 'delete') {
    const usual = selectable.find((mailbox) => {
      const last = mailbox.delimiter ? mailbox.path.split(mailbox.delimiter).at(-1) : mailbox.path;
      return TRASH_NAMES.includes((last ?? '').trim().toLowerCase());
    });
    if (usual) return { path: usual.path };
    return {
      missing: `no Trash on the server (none marked \\Trash, none named Trash): set "${field}"`,
    };
  }
  return { missing: `no Archive on the server (none marked \\Archive): set "${field}"` };
}
