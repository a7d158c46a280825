/**
 * Text from the wire is hostile. Sender and subject arrive decoded from RFC 2047 encoded
 * words by imapflow (libmime); before they reach a notification, a JSON line or the renderer
 * they lose control characters (a popup must not gain lines or terminal escapes) and bidi
 * overrides (U+202E can make "exe.pdf" read as "fdp.exe"), and are cut to a length.
 */

// C0, DEL and C1 controls, line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// Bidi embeddings, overrides and isolates, directional marks, zero-width and invisible
// formatting characters, the BOM and interlinear annotation marks. Each is listed as a lone
// code point on purpose, so the combining Hangul fillers are not a misleading class here.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]/g;

// ECMA-48 escape sequences, removed whole so no "[31m" is left behind: CSI (ESC [ or C1 CSI,
// parameters, intermediates, final byte); OSC, DCS, SOS, PM and APC strings up to BEL or ST
// (OSC 8 hyperlinks, window titles), or to the end when never terminated; two-byte escapes.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;

/** Default maximum lengths, in characters (code points). */
export const MAX_SUBJECT_LENGTH = 200;
export const MAX_SENDER_LENGTH = 120;
/** The most of a server's own words (BYE reason, response text) an error message keeps. */
export const MAX_SERVER_TEXT_LENGTH = 300;

/** Strips controls and bidi/invisible characters, folds whitespace, truncates with "…". */
export function sanitizeText(raw: unknown, maxLength: number): string {
  if (typeof raw !== 'string') return '';
  const cleaned = raw
    .toWellFormed()
    .replace(CONTROL, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  if (chars.length <= maxLength) return cleaned;
  return `${chars
    .slice(0, Math.max(0, maxLength - 1))
    .join('')
    .trimEnd()}…`;
}

/**
 * Server text (a BYE reason, a NO's response text, a certificate's names) fit for a status
 * line or a terminal: escape sequences dropped whole, then as `sanitizeText`, cut to a length.
 */
export function sanitizeServerText(raw: unknown, maxLength = MAX_SERVER_TEXT_LENGTH): string {
  if (typeof raw !== 'string') return '';
  return sanitizeText(raw.replace(ESCAPE_SEQUENCE, ''), maxLength);
}

/** One envelope address as imapflow returns it. */
export interface EnvelopeAddress {
  name?: string;
  address?: string;
}

/** "Ann Example <ann@example.com>", or just the address or name when only one is known. */
export function formatSender(addresses: readonly EnvelopeAddress[] | undefined): string {
  const first = addresses?.[0];
  if (!first) return '';
  const name = sanitizeText(first.name, MAX_SENDER_LENGTH);
  const address = sanitizeText(first.address, MAX_SENDER_LENGTH);
  if (name && address && name !== address) {
    return sanitizeText(`${name} <${address}>`, MAX_SENDER_LENGTH);
  }
  return name || address;
}

/** The display name of a sender line ("Ann" from "Ann <ann@x>"), for summaries. */
export function senderDisplayName(sender: string): string {
  const match = /^(.*?)\s*<[^>]*>$/.exec(sender);
  return (match?.[1] || sender).trim();
}
