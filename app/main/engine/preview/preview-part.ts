/**
 * Which part of a message its preview is read from, by BODYSTRUCTURE (RFC 3501 §7.4.2): the
 * first inline text/plain part, else the first inline text/html one, depth first, never an
 * attachment nor a part inside an attached message (its text is not this message's).
 */
import type { MessageStructureObject } from 'imapflow';

/** A text part to preview: its section for BODY.PEEK[…], what it is and how it is encoded. */
export interface PreviewPart {
  /** The section ("1", "1.2"); "1" is the body of a message that is not multipart. */
  section: string;
  subtype: 'plain' | 'html';
  /** The charset parameter, when it is a plain label (anything else is left to the default). */
  charset?: string;
  /** The Content-Transfer-Encoding, lower case ("7bit" when the server gave none). */
  encoding: string;
}

// Labels as charsets are named (RFC 2978): letters, digits and a few marks. A parameter that
// is anything else is hostile or broken, and never reaches the synthesized header.
const CHARSET_LABEL = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}$/;

/** The part of `structure` to preview, or undefined when the message has no inline text. */
export function previewPartOf(
  structure: MessageStructureObject | undefined,
): PreviewPart | undefined {
  if (!structure) return undefined;
  const texts = inlineTexts(structure);
  const chosen = texts.find((node) => subtypeOf(node) === 'plain') ?? texts[0];
  if (!chosen) return undefined;
  const charset = chosen.parameters?.charset?.trim();
  return {
    // imapflow numbers the parts of a multipart only: a message's single part is section 1.
    section: chosen.part ?? '1',
    subtype: subtypeOf(chosen) ?? 'plain',
    ...(charset && CHARSET_LABEL.test(charset) ? { charset } : {}),
    encoding: (chosen.encoding ?? '7bit').trim().toLowerCase(),
  };
}

function subtypeOf(node: MessageStructureObject): PreviewPart['subtype'] | undefined {
  const type = node.type.toLowerCase();
  if (type === 'text/plain') return 'plain';
  if (type === 'text/html') return 'html';
  return undefined;
}

/** The inline text parts under `node`, in order. */
function inlineTexts(node: MessageStructureObject): MessageStructureObject[] {
  if (node.disposition?.toLowerCase() === 'attachment') return [];
  if (node.childNodes?.length) {
    // message/rfc822's child is the attached message: not this message's text.
    if (node.type.toLowerCase() === 'message/rfc822') return [];
    return node.childNodes.flatMap((child) => inlineTexts(child));
  }
  return subtypeOf(node) ? [node] : [];
}
