/**
 * The first line of a message's text, from the first bytes of one of its parts: transfer
 * decoding and charset by postal-mime (a well-kept parser, given the part's own MIME header
 * as BODYSTRUCTURE described it), HTML turned into text by html-to-text (no script or style,
 * entities decoded, no link addresses), then cleaned like subjects (sanitize-text.ts) and cut.
 * Bytes that do not decode into text give no preview, never an error.
 */
import { convert } from 'html-to-text';
import iconv from 'iconv-lite';
import PostalMime from 'postal-mime';
import { sanitizeServerText } from '../base/index.js';
import type { PreviewPart } from './preview-part.js';

/** The longest preview, in characters. */
export const PREVIEW_LENGTH = 120;

// Transfer encodings postal-mime decodes (RFC 2045 §6); any other gives no preview.
const KNOWN_ENCODINGS = new Set(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);

// Past this share of replacement or control characters, the "text" is binary or the wrong
// charset: better no preview than mojibake in a popup.
const MAX_GARBLED_SHARE = 0.1;

// html-to-text: one line of prose, no addresses of links or images, headings as written.
const HTML_OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
      selector,
      options: { uppercase: false },
    })),
  ],
};

/**
 * The preview of `part` from its first bytes `raw` (possibly cut anywhere: inside a
 * quoted-printable escape, a base64 group, a UTF-8 sequence or an HTML tag).
 */
export async function previewText(raw: Uint8Array, part: PreviewPart): Promise<string | undefined> {
  if (!KNOWN_ENCODINGS.has(part.encoding)) return undefined;
  const header =
    `Content-Type: text/${part.subtype}${part.charset ? `; charset="${part.charset}"` : ''}\r\n` +
    `Content-Transfer-Encoding: ${part.encoding}\r\n\r\n`;
  const entity = Buffer.concat([Buffer.from(header, 'latin1'), raw]);
  let text: string | undefined;
  try {
    const email = await PostalMime.parse(entity, { attachmentEncoding: 'arraybuffer' });
    text = part.subtype === 'html' ? htmlToText(email.html) : email.text;
  } catch {
    return undefined;
  }
  return cleanPreview(isWindows1252(part.charset) ? fromWindows1252(text) : text);
}

/** `text` on one clean line of at most PREVIEW_LENGTH characters; undefined if garbled or empty. */
export function cleanPreview(text: string | undefined): string | undefined {
  if (!text) return undefined;
  // A sequence cut at the end decodes to one U+FFFD: that is the cut, not the text.
  const whole = text.trimEnd().replace(/\ufffd+$/, '');
  const chars = Array.from(whole);
  // eslint-disable-next-line no-control-regex -- counting control characters is the point
  const garbled = chars.filter((char) => /[\ufffd\u0000-\u0008\u000e-\u001f]/.test(char)).length;
  if (chars.length === 0 || garbled > chars.length * MAX_GARBLED_SHARE) return undefined;
  // As server text: an escape sequence goes whole, not leaving "[31m" behind. A lone
  // replacement character (a NUL, a stray byte) says nothing to the reader.
  const cleaned = sanitizeServerText(whole.replace(/\ufffd/g, ' '), PREVIEW_LENGTH);
  return cleaned === '' ? undefined : cleaned;
}

// The labels the Encoding Standard reads as windows-1252, and none (US-ASCII by RFC 2045 §5.2,
// in practice whatever the sender's system used).
const WINDOWS_1252_LABELS = new Set(
  ['', 'us-ascii', 'ascii', 'iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'l1'].concat([
    'windows-1252',
    'cp1252',
    'x-cp1252',
  ]),
);

function isWindows1252(charset: string | undefined): boolean {
  return WINDOWS_1252_LABELS.has((charset ?? '').toLowerCase());
}

// Node 20.20's TextDecoder('windows-1252'), which postal-mime decodes these labels with,
// gives bytes 0x80–0x9F as C1 controls (ISO-8859-1's reading; checked here: 0x80 came out
// as U+0080, not "€"), and the cleaning would drop them. Each stands for its byte, so
// iconv-lite's table gives the character meant: "€", curly quotes, dashes.
function fromWindows1252(text: string | undefined): string | undefined {
  return text?.replace(/[\u0080-\u009f]/g, (char) =>
    iconv.decode(Buffer.from([char.charCodeAt(0)]), 'windows-1252'),
  );
}

function htmlToText(html: string | undefined): string | undefined {
  if (!html) return undefined;
  return convert(html, HTML_OPTIONS);
}
