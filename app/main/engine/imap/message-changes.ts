/**
 * The commands that change one message (issue 24's actions): SELECT read-write, whether a UID
 * is still there, `\Seen` added, a move. Each names exactly one UID; none expunges anything
 * but the message it just copied. Through imapflow's own commands, under the session's
 * deadline (`ImapSession.run`).
 */
import { TidingsError } from '../base/index.js';
import { throwMailboxRefusal } from './command-refusal.js';
import type { ImapSession } from './imap-session.js';

/** SELECTs `path` read-write (EXAMINE could not change it); its UIDVALIDITY. */
export async function selectForChange(session: ImapSession, path: string): Promise<number> {
  const mailbox = await session.run(`SELECT ${path}`, (client) =>
    client
      .mailboxOpen(path, { readOnly: false })
      .catch((error: unknown) => throwMailboxRefusal(error, path, ['NO'])),
  );
  if (mailbox.readOnly) {
    throw new TidingsError('mailbox', `${path} is read-only on the server`);
  }
  return Number(mailbox.uidValidity);
}

/** Whether the selected mailbox still holds `uid` (UID SEARCH UID n). */
export async function holdsUid(session: ImapSession, uid: number): Promise<boolean> {
  const found = await session.run('UID SEARCH', (client) =>
    client.search({ uid: String(uid) }, { uid: true }),
  );
  // imapflow answers a failed SEARCH with false: treat it as the failure it is.
  if (!Array.isArray(found)) throw new TidingsError('protocol', 'UID SEARCH failed');
  return found.includes(uid);
}

/** UID STORE uid +FLAGS.SILENT (\Seen). */
export async function markSeen(session: ImapSession, uid: number): Promise<void> {
  const stored = await session.run('UID STORE', (client) =>
    client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true, silent: true }),
  );
  if (stored !== true) throw new TidingsError('protocol', `UID STORE ${uid} was refused`);
}

/**
 * Moves `uid` to `destination`: UID MOVE (RFC 6851), or without MOVE, COPY then `\Deleted`
 * and UID EXPUNGE of that UID alone (UIDPLUS, RFC 4315), which imapflow's `messageMove` does
 * with `uid: true` (commands/move.js and expunge.js, 2.10.2). Without either it refuses: a
 * plain EXPUNGE would remove every message marked `\Deleted`, not only this one.
 */
export async function moveMessage(
  session: ImapSession,
  uid: number,
  destination: string,
): Promise<void> {
  if (!session.has('MOVE') && !session.has('UIDPLUS')) {
    throw new TidingsError(
      'protocol',
      'the server offers neither MOVE nor UIDPLUS: moving one message would expunge every message marked deleted',
    );
  }
  const moved = await session.run(session.has('MOVE') ? 'UID MOVE' : 'UID COPY', (client) =>
    client.messageMove(String(uid), destination, { uid: true }),
  );
  if (!moved) throw new TidingsError('protocol', `moving UID ${uid} to ${destination} was refused`);
}

/**
 * The FLAGS of `uids` in the selected mailbox (UID FETCH uids (FLAGS)); a UID the answer
 * leaves out is no longer there.
 */
export async function flagsOf(
  session: ImapSession,
  uids: readonly number[],
): Promise<Map<number, ReadonlySet<string>>> {
  const fetched = await session.run('UID FETCH FLAGS', (client) =>
    client.fetchAll(uids.join(','), { uid: true, flags: true }, { uid: true }),
  );
  const flags = new Map<number, ReadonlySet<string>>();
  const asked = new Set(uids);
  for (const message of fetched) {
    if (asked.has(message.uid)) flags.set(message.uid, message.flags ?? new Set());
  }
  return flags;
}
