/** Reading untagged responses imapflow hands over unparsed: STATUS, and mailbox names. */
import type { MailboxStatus } from './mailbox-status.js';

/** Reads `* STATUS name (KEY value …)`; anything malformed (a confused server) is dropped. */
export function parseStatus(
  attributes: unknown[] | undefined,
  decode: (raw: string) => string,
): MailboxStatus | undefined {
  const [name, list] = attributes ?? [];
  const raw = nameOf(name);
  if (raw === undefined || !Array.isArray(list)) return undefined;
  const status: MailboxStatus = { path: decode(raw), rawPath: raw };
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = (list[i] as { value?: unknown }).value;
    const value = (list[i + 1] as { value?: unknown }).value;
    // Only a bounded run of digits is a number here; anything else is left out.
    if (typeof key !== 'string' || typeof value !== 'string' || !/^\d{1,20}$/.test(value)) {
      continue;
    }
    switch (key.toUpperCase()) {
      case 'UIDNEXT':
        status.uidNext = Number(value);
        break;
      case 'UIDVALIDITY':
        status.uidValidity = Number(value);
        break;
      case 'MESSAGES':
        status.messages = Number(value);
        break;
      case 'UNSEEN':
        status.unseen = Number(value);
        break;
      case 'HIGHESTMODSEQ':
        status.highestModseq = value;
        break;
    }
  }
  return status;
}

/** A mailbox name token: an atom or quoted string, or a literal (imapflow gives a Buffer). */
export function nameOf(token: unknown): string | undefined {
  const value = (token as { value?: unknown } | undefined)?.value;
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}
