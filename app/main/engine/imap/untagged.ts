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
    // RFC 9051: UIDNEXT and UIDVALIDITY are nz-number, MESSAGES and UNSEEN number, all 32-bit
    // unsigned; a value outside that is not this mailbox's (the server fuzz suite's UIDVALIDITY
    // 2^64, taken as a new one, re-baselined INBOX past mail it had not seen).
    const count = Number(value);
    const inRange = count <= 0xffffffff;
    switch (key.toUpperCase()) {
      case 'UIDNEXT':
        if (inRange && count > 0) status.uidNext = count;
        break;
      case 'UIDVALIDITY':
        if (inRange && count > 0) status.uidValidity = count;
        break;
      case 'MESSAGES':
        if (inRange) status.messages = count;
        break;
      case 'UNSEEN':
        if (inRange) status.unseen = count;
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
