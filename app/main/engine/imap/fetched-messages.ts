/**
 * What a UID FETCH answered, one entry per message. RFC 3501 §7: a client "MUST be prepared to
 * accept any response at all times", and a FETCH response is also how a server tells of a flag
 * change (§7.4.2): during our FETCH, the same message can come in more than one response (a
 * FLAGS update beside the answer, or the data split in two). imapflow's `fetchAll` lists each
 * response as a message; announced as they come, one message would be two.
 */
import type { FetchMessageObject } from 'imapflow';

/**
 * The messages of `answers` with UIDs from `first` to `last`, one per UID, in order of their
 * first answer; each message's answers merged, a later value over an earlier one. A UID outside
 * the range asked for (a confused server) is left out: it must not move the cursor.
 */
export function fetchedInRange(
  answers: readonly FetchMessageObject[],
  first: number,
  last: number,
): FetchMessageObject[] {
  const byUid = new Map<number, FetchMessageObject>();
  for (const answer of answers) {
    const { uid } = answer;
    if (!Number.isSafeInteger(uid) || uid < first || uid > last) continue;
    const defined = Object.entries(answer).filter(([, value]) => value !== undefined);
    byUid.set(uid, { ...byUid.get(uid), ...Object.fromEntries(defined) } as FetchMessageObject);
  }
  return [...byUid.values()];
}
