/**
 * One action on one message, addressed by (mailbox, UIDVALIDITY, UID) (issue 24): Mark as
 * read, Delete (a move to the Trash) or Archive. It is refused, with the reason and nothing
 * changed, when the mailbox is gone, its UIDVALIDITY is not the one the popup was made under
 * (the same UID may be another message now), the UID is no longer there, or there is nowhere
 * to move it. Never retried onto another message: the UID is the address, not a search.
 */
import { TidingsError } from '../base/index.js';
import {
  holdsUid,
  markSeen,
  moveMessage,
  samePath,
  selectForChange,
  type ImapSession,
} from '../imap/index.js';
import { targetOf, type ActionMailboxes, type MessageAction } from './action-target.js';

/** The message an action is for, as its popup knows it. */
export interface MessageAddress {
  mailbox: string;
  uidValidity: number;
  uid: number;
}

/** What came of an action: done (and what was done), or refused (and why). */
export type ActionOutcome = { done: true; text: string } | { done: false; reason: string };

/** Past tense of each action, for the outcome's text. */
const DONE: Record<MessageAction, string> = {
  read: 'marked as read',
  delete: 'moved to',
  archive: 'moved to',
};

/**
 * Does `action` to the message at `address` on `session` (logged in; it is left with the
 * mailbox selected read-write). Server refusals and a gone mailbox come back as a refusal;
 * a connection that fails throws, as every session call does.
 */
export async function actOnMessage(
  session: ImapSession,
  settings: ActionMailboxes,
  address: MessageAddress,
  action: MessageAction,
): Promise<ActionOutcome> {
  const { mailbox, uidValidity, uid } = address;
  let target: string | undefined;
  if (action !== 'read') {
    const { listed } = await session.listAll();
    const found = targetOf(action, listed, settings);
    if ('missing' in found) return { done: false, reason: found.missing };
    target = found.path;
    if (samePath(target, mailbox)) {
      return { done: false, reason: `the message is in ${target} already` };
    }
  }
  try {
    const now = await selectForChange(session, mailbox);
    if (now !== uidValidity) {
      return {
        done: false,
        reason:
          `the UIDVALIDITY of ${mailbox} is ${now}, not ${uidValidity}: the mailbox was recreated, ` +
          `UID ${uid} may be another message now`,
      };
    }
    if (!(await holdsUid(session, uid))) {
      return { done: false, reason: `UID ${uid} is no longer in ${mailbox} (deleted or moved)` };
    }
    if (target === undefined) await markSeen(session, uid);
    else await moveMessage(session, uid, target);
  } catch (error) {
    // A refusal leaves the connection usable: it is the answer. A failure is thrown on.
    if (
      error instanceof TidingsError &&
      ['mailbox', 'protocol'].includes(error.code) &&
      session.usable
    ) {
      return { done: false, reason: error.message };
    }
    throw error;
  }
  return { done: true, text: target === undefined ? DONE[action] : `${DONE[action]} ${target}` };
}
