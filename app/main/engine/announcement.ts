/**
 * What the engine announces: one new message, or a summary of a burst. Pure data plus the
 * one place that turns it into the title and body of a desktop notification.
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
}

/** One notification's worth of news. */
export type Announcement =
  | { kind: 'message'; message: NewMessage; at: Date }
  | {
      kind: 'summary';
      account: string;
      mailbox: string;
      count: number;
      uids: number[];
      messageIds: string[];
      senders: string[];
      at: Date;
    };

/** Title and body for a desktop notification. */
export interface NotificationText {
  title: string;
  body: string;
}

const MAX_SUMMARY_SENDERS = 3;

/**
 * The notification text of an announcement; `accountName` is what the user calls the account.
 * With `showSubject` off (privacy), senders and subjects stay out of the popup, a burst's too.
 */
export function describeAnnouncement(
  announcement: Announcement,
  accountName: string,
  showSubject = true,
): NotificationText {
  if (announcement.kind === 'message') {
    const { from, subject, mailbox } = announcement.message;
    if (!showSubject) return { title: `New mail in ${accountName}`, body: mailbox };
    return { title: from || accountName, body: subject || '(no subject)' };
  }
  const { count, mailbox, senders } = announcement;
  const shown = senders.slice(0, MAX_SUMMARY_SENDERS);
  const more = senders.length > shown.length ? ', …' : '';
  const from = showSubject && shown.length ? ` — from ${shown.join(', ')}${more}` : '';
  return { title: `${count} new messages in ${accountName}`, body: `${mailbox}${from}` };
}
