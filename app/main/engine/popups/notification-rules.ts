/**
 * The notification rules, one pure decision per new message: does it pop up, pop up even in
 * quiet hours (a VIP), or only count (muted, or popups off for its account or mailbox)?
 * Every message still reaches the stream, the tray's count and the hooks; rules decide
 * popups and sounds alone.
 */

/** Who always pops up, and who never does. */
export interface NotificationRules {
  /** Addresses ("ann@example.com") or domains ("example.com", subdomains included). */
  vip: readonly string[];
  /** Addresses or domains whose mail never pops up. */
  muteSenders: readonly string[];
  /** Mailing lists by List-Id (RFC 2919: "announce.example.com" or "<announce.example.com>"). */
  muteLists: readonly string[];
}

/** Popup switches of one account. */
export interface AccountPopupRules {
  /** False: this account's mail is counted, never popped up. */
  popups: boolean;
  /** Mailboxes counted but never popped up (a "Lists" folder). */
  quietMailboxes: readonly string[];
}

/** What the message's popup does. */
export type PopupDecision = 'popup' | 'vip' | 'count-only';

/** The parts of a message the rules look at. */
export interface RuleSubject {
  mailbox: string;
  /** The sender's bare address, if any. */
  fromAddress: string | null;
  /** The List-Id header's identifier, if any. */
  listId: string | null;
}

/** Decides one message's popup. Muting wins over VIP: a muted list mailing a VIP stays quiet. */
export function decidePopup(
  message: RuleSubject,
  rules: NotificationRules,
  account: AccountPopupRules,
): PopupDecision {
  if (!account.popups || account.quietMailboxes.includes(message.mailbox)) return 'count-only';
  const listId = message.listId && normalizeListId(message.listId);
  if (listId && rules.muteLists.some((entry) => normalizeListId(entry) === listId)) {
    return 'count-only';
  }
  if (matchesSender(message.fromAddress, rules.muteSenders)) return 'count-only';
  if (matchesSender(message.fromAddress, rules.vip)) return 'vip';
  return 'popup';
}

/** Whether `address` is one of `entries` or lies in one of their domains. */
export function matchesSender(address: string | null, entries: readonly string[]): boolean {
  if (!address) return false;
  const wanted = address.trim().toLowerCase();
  const at = wanted.lastIndexOf('@');
  if (at < 1) return false;
  const domain = wanted.slice(at + 1);
  return entries.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/^@/, '');
    if (!entry) return false;
    if (entry.includes('@')) return entry === wanted;
    return domain === entry || domain.endsWith(`.${entry}`);
  });
}

// RFC 2919 §2: the list identifier is the part in angle brackets, compared without case.
function normalizeListId(value: string): string {
  const bracketed = /<([^>]*)>/.exec(value);
  return (bracketed?.[1] ?? value).trim().toLowerCase();
}
