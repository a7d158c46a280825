/**
 * Raw 8-bit header text, for the mail that ENVELOPE cannot carry whole: a Subject or a sender
 * name in bare Latin-1 bytes (no RFC 2047 encoded words), which old mailers still send.
 * imapflow reads ENVELOPE strings as UTF-8 and such bytes become U+FFFD; from the raw header
 * lines we decode them as mail clients do: UTF-8 where it is valid (RFC 6532), else
 * windows-1252 (the WHATWG reading of "latin1", a superset of ISO-8859-1's printable range).
 */

/** The character a failed UTF-8 decoding leaves behind. */
const REPLACEMENT = '\ufffd';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// windows-1252's 0x80–0x9F, where ISO-8859-1 has C1 controls (WHATWG Encoding's index;
// the five unassigned bytes stay as they are). Node 20's TextDecoder('windows-1252') still
// decodes these as ISO-8859-1 does, hence the table.
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** True when `text` lost bytes to a UTF-8 decoding (and the raw header may say more). */
export function isGarbled(text: string | undefined): boolean {
  return text?.includes(REPLACEMENT) ?? false;
}

/**
 * The unfolded value of header `name` in a raw header block, decoded as UTF-8 or else as
 * windows-1252; undefined when the header is absent or holds RFC 2047 encoded words (those
 * are for the ENVELOPE's decoder, which already did what can be done).
 */
export function decodeRawHeader(block: Buffer, name: string): string | undefined {
  // RFC 5322 §2.2.3: a folded header continues on lines that start with white space.
  const text = block.toString('latin1').replace(/\r?\n(?=[ \t])/g, '');
  const prefix = `${name.toLowerCase()}:`;
  const line = text.split(/\r?\n/).find((entry) => entry.toLowerCase().startsWith(prefix));
  if (line === undefined) return undefined;
  const raw = Buffer.from(line.slice(prefix.length), 'latin1');
  const value = decodeBytes(raw).trim();
  return value.includes('=?') ? undefined : value;
}

/** The display name of a raw From value ("André <a@x>" or "\"André\" <a@x>"), if any. */
export function displayNameOf(from: string): string | undefined {
  const match = /^\s*"?(.*?)"?\s*<[^>]*>\s*$/.exec(from);
  return match?.[1] || undefined;
}

function decodeBytes(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes
      .toString('latin1')
      .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
  }
}
