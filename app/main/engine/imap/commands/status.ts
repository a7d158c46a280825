/**
 * STATUS of a mailbox that is not selected (UIDNEXT, UIDVALIDITY, UNSEEN, MESSAGES, and
 * HIGHESTMODSEQ with CONDSTORE). Not imapflow's `status()`: its command takes every untagged
 * STATUS while it runs, whatever mailbox it names (commands/status.js, 2.10.2), so a NOTIFY
 * push for another mailbox that came meanwhile would vanish into the answer. Here only the
 * asked mailbox's line answers; any other goes on to the NOTIFY listeners.
 */
import { TidingsError } from '../../base/index.js';
import { throwMailboxRefusal } from '../command-refusal.js';
import type { UntaggedResponse } from '../imapflow-internals.js';
import { samePath, type MailboxStatus } from '../mailbox-status.js';
import { parseStatus } from '../untagged.js';
import type { CommandConnection } from './command-connection.js';

/** What a STATUS asks: UIDNEXT, UIDVALIDITY, UNSEEN, MESSAGES, and HIGHESTMODSEQ with CONDSTORE. */
export function statusItems(connection: Pick<CommandConnection, 'has'>): string[] {
  const items = ['UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'MESSAGES'];
  if (connection.has('CONDSTORE')) items.push('HIGHESTMODSEQ');
  return items;
}

/** Asks STATUS of `path`; a NO or BAD means the mailbox is not there (or not for now). */
export async function statusOf(
  connection: CommandConnection,
  path: string,
): Promise<MailboxStatus> {
  const items = statusItems(connection);
  const encoded = connection.encodeName(path);
  let answer: MailboxStatus | undefined;
  const onStatus = (untagged: UntaggedResponse) => {
    const status = parseStatus(untagged.attributes, (raw) => connection.decodeName(raw));
    if (status && (status.rawPath === encoded || samePath(status.path, path))) answer = status;
    else connection.pushStatus(untagged);
  };
  const response = await connection
    .exec(
      'STATUS',
      [{ type: 'STRING', value: encoded }, items.map((value) => ({ type: 'ATOM', value }))],
      { untagged: { STATUS: onStatus }, answersOwnStatus: true },
    )
    .catch((error: unknown) => throwMailboxRefusal(error, path, ['NO', 'BAD']));
  response.next();
  if (!answer) throw new TidingsError('protocol', `STATUS ${path}: the server sent no status`);
  return { ...answer, path };
}
