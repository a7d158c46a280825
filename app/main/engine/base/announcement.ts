/**
 * What the engine announces: one new message at a time, as pure data. How popups word and
 * group them is popup-text.ts and popup-policy.ts.
 */

/** A new message found by a sync, with sender and subject already sanitized. */
export interface NewMessage {
  account: string;
  mailbox: string;
  uidValidity: number;
  uid: number;
  messageId: string | null;
  from: string;
  subject: string;
  /** The sender's bare address (for VIP and mute rules), if the envelope had one. */
  fromAddress?: string | null;
  /** The List-Id header's value (RFC 2919), for mailing-list rules. */
  listId?: string | null;
  /**
   * The first line of its text, decoded and cleaned (engine/preview), when previews are on
   * and it was not part of a storm; absent when none could be read.
   */
  preview?: string;
}

/** One new message, as the engine hands it to every consumer (stream, popups, hooks). */
export interface Announcement {
  kind: 'message';
  message: NewMessage;
  at: Date;
}

/** Title and body for a desktop notification. */
export interface NotificationText {
  title: string;
  body: string;
}

/**
 * A message announced since the engine started that is no longer new (issue 24): `read`
 * when it became \Seen, `gone` when it was expunged or moved away, on any device. Its popup
 * is withdrawn, and the stream says so; nothing is said of mail announced before the start.
 */
export interface MessageChange {
  event: 'read' | 'gone';
  account: string;
  mailbox: string;
  uidValidity: number;
  uid: number;
  messageId: string | null;
}
