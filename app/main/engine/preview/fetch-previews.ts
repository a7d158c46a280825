/**
 * The previews of a sync's new messages. The FETCH that brought their envelopes brought their
 * BODYSTRUCTURE and the first bytes of part 1 too (ImapSession.fetchRange with PREVIEW_BYTES):
 * where part 1 is the text to read (a message that is not multipart, the text/plain half of
 * multipart/alternative: most mail), the preview costs no round trip. The others get one
 * UID FETCH of `BODY.PEEK[section]<0.N>` per distinct section. PEEK never sets \Seen
 * (RFC 3501 §6.4.5); the partial `<0.N>` makes the server send at most N bytes of the part
 * however large the message. Under the session's command deadline like every fetch; a
 * failure, a timeout or a body that does not decode gives no preview, never an error.
 */
import type { FetchMessageObject } from 'imapflow';
import type { NewMessage } from '../base/index.js';
import type { ImapSession } from '../imap/index.js';
import { previewPartOf, type PreviewPart } from './preview-part.js';
import { previewText } from './preview-text.js';

/**
 * The most bytes of a part asked per message: a text/plain opening is a few hundred bytes,
 * base64 takes 4/3 of that, and an HTML-only newsletter's head and style sheet come first.
 */
export const PREVIEW_BYTES = 4096;

export async function fetchPreviews(
  session: ImapSession,
  messages: readonly FetchMessageObject[],
): Promise<Map<number, string>> {
  const previews = new Map<number, string>();
  const bySection = new Map<string, Array<{ uid: number; part: PreviewPart }>>();
  for (const message of messages) {
    const part = previewPartOf(message.bodyStructure);
    if (!part) continue;
    // imapflow keys a part by its section, the partial dropped ("1" for BODY[1]<0>).
    const first = part.section === '1' ? message.bodyParts?.get('1') : undefined;
    if (first) {
      const text = await previewText(first.subarray(0, PREVIEW_BYTES), part);
      if (text) previews.set(message.uid, text);
      continue;
    }
    const group = bySection.get(part.section) ?? [];
    group.push({ uid: message.uid, part });
    bySection.set(part.section, group);
  }
  for (const [section, group] of bySection) {
    if (!session.usable) break;
    let fetched: FetchMessageObject[];
    try {
      fetched = await session.run('UID FETCH preview', (client) =>
        client.fetchAll(
          group.map(({ uid }) => uid).join(','),
          { uid: true, bodyParts: [{ key: section, start: 0, maxLength: PREVIEW_BYTES }] },
          { uid: true },
        ),
      );
    } catch {
      // A NO (a message the server cannot parse) or a missed deadline (the session is then
      // gone, and the watcher reconnects): the messages go out without a preview.
      continue;
    }
    const parts = new Map(group.map(({ uid, part }) => [uid, part]));
    for (const message of fetched) {
      const part = parts.get(message.uid);
      // One part was asked: the only one in the map.
      const raw = message.bodyParts?.values().next().value;
      if (!part || !raw) continue;
      const text = await previewText(raw.subarray(0, PREVIEW_BYTES), part);
      if (text) previews.set(message.uid, text);
    }
  }
  return previews;
}

/**
 * `fresh` with their previews, read for them alone (never for \Seen mail) after the FETCH
 * that brought their BODYSTRUCTURE. A preview that cannot be had is left out: the message is
 * announced all the same, its fetch failing at worst in the command deadline.
 */
export async function withPreviews(
  session: ImapSession,
  fetched: readonly FetchMessageObject[],
  fresh: NewMessage[],
): Promise<NewMessage[]> {
  if (fresh.length === 0) return fresh;
  const wanted = new Set(fresh.map((message) => message.uid));
  const previews = await fetchPreviews(
    session,
    fetched.filter((message) => wanted.has(message.uid)),
  );
  return fresh.map((message) => {
    const preview = previews.get(message.uid);
    return preview === undefined ? message : { ...message, preview };
  });
}
