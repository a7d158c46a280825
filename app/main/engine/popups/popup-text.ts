/**
 * The words of a popup, and where clicking it leads. One place for every notifier (Electron,
 * node-notifier), so the privacy switch and the wording hold everywhere alike.
 */
import type { NotificationText } from '../base/index.js';
import type { Popup } from './popup-policy.js';

const MAX_SUMMARY_SENDERS = 3;

/**
 * Title and body of `popup`; `accountName` names an account for the user. With `showSubject`
 * off (privacy) no sender or subject appears, in a summary neither, nor a preview. With
 * `showPreview`, a single message's body has the first line of its text under the subject
 * (when the engine could read one; summaries never have one).
 */
export function describePopup(
  popup: Popup,
  accountName: (id: string) => string,
  showSubject: boolean,
  showPreview = false,
): NotificationText {
  if (popup.kind === 'message') {
    const { from, subject, mailbox, account, preview } = popup.message;
    if (!showSubject) return { title: `New mail in ${accountName(account)}`, body: mailbox };
    const heading = subject || '(no subject)';
    // The preview was cleaned to one line (engine/preview): the newline is ours alone.
    const body = showPreview && preview ? `${heading}\n${preview}` : heading;
    return { title: from || accountName(account), body };
  }
  if (popup.kind === 'summary') {
    const { count, mailbox, senders, account } = popup;
    const shown = senders.slice(0, MAX_SUMMARY_SENDERS);
    const more = senders.length > shown.length ? ', …' : '';
    const from = showSubject && shown.length ? ` — from ${shown.join(', ')}${more}` : '';
    // One left after the others were read elsewhere (issue 24's withdrawal).
    const messages = count === 1 ? 'message' : 'messages';
    return {
      title: `${count} new ${messages} in ${accountName(account)}`,
      body: `${mailbox}${from}`,
    };
  }
  const parts = popup.counts.map(({ account, count }) => `${count} new in ${accountName(account)}`);
  return { title: 'While you were away', body: parts.join(', ') };
}

/** The placeholder an account's web address may hold, for a click to land on the message. */
export const MESSAGE_ID_PLACEHOLDER = '{messageId}';

/**
 * Where a click on `popup` leads, from the account's `openUrl`: with `{messageId}` in it, the
 * message itself (its Message-ID URL-encoded: Gmail's `#search/rfc822msgid:{messageId}`);
 * a summary, a catch-up or a message without a Message-ID opens the address up to the
 * placeholder, without its query or fragment (the mailbox rather than a search for nothing).
 * Without an `openUrl`: undefined, for the system mail client.
 */
export function clickUrl(openUrl: string | undefined, popup: Popup): string | undefined {
  if (!openUrl?.includes(MESSAGE_ID_PLACEHOLDER)) return openUrl;
  const messageId = popup.kind === 'message' ? popup.message.messageId : null;
  if (messageId) return openUrl.split(MESSAGE_ID_PLACEHOLDER).join(encodeURIComponent(messageId));
  const before = new URL(openUrl.slice(0, openUrl.indexOf(MESSAGE_ID_PLACEHOLDER)));
  // The placeholder in the path itself ("/mail/search:msgid:{messageId}"): its last segment goes.
  const inPath = !before.search && !before.hash;
  const path = inPath
    ? before.pathname.slice(0, before.pathname.lastIndexOf('/') + 1)
    : before.pathname;
  return `${before.origin}${path}`;
}
