/**
 * Text that echoes what a file or a request said (an unknown key, a mailbox name), made fit for
 * one line of a terminal, a log or a form: control characters, line separators and bidi
 * controls are shown as `\uXXXX` escapes, so a value can neither add a line (a forged
 * "    at …" frame), nor send the terminal an escape sequence, nor reverse what follows; and
 * a long value is cut.
 */

// C0, DEL and C1 controls, line and paragraph separators, bidi marks, embeddings, overrides
// and isolates.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// The longest problem line by default, in UTF-16 code units.
const MAX_PRINTABLE_LINE = 500;

/** `text` on one printable line: unprintable characters escaped, cut with "…" past `maxLength`. */
export function toPrintableLine(text: string, maxLength = MAX_PRINTABLE_LINE): string {
  const escaped = text.replace(
    UNPRINTABLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped.length <= maxLength) return escaped;
  // Never half of a surrogate pair at the cut.
  return `${escaped.slice(0, maxLength - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}
