/**
 * The `tidings watch --json` line formats of the README: `new-mail`, `read`, `gone` and
 * `status`, one JSON
 * object per line. There is no `summary` line: every message of a storm is its own
 * `new-mail` line, at once; grouping is for popups only. These are a public contract for
 * scripts: add fields, never rename them.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import type { Announcement, MessageChange } from '../../engine/index.js';

/** The `new-mail` line of an announcement: one per message, written the moment it is found. */
export function announcementEvent(announcement: Announcement): Record<string, unknown> {
  const { message } = announcement;
  return {
    event: 'new-mail',
    account: message.account,
    mailbox: message.mailbox,
    uidValidity: message.uidValidity,
    uid: message.uid,
    messageId: message.messageId,
    from: message.from,
    subject: message.subject,
    // Only when previews are on and one was read (README): older consumers never see it.
    ...(message.preview !== undefined ? { preview: message.preview } : {}),
    at: announcement.at.toISOString(),
  };
}

/** The JSON line of a watcher status change. */
export function statusEvent(status: WatcherStatus): Record<string, unknown> {
  return {
    event: 'status',
    account: status.account,
    mailbox: status.mailbox,
    state: status.state,
    detail: status.detail,
    unread: status.unread,
    ...(status.via ? { via: status.via } : {}),
    at: status.at.toISOString(),
  };
}

/**
 * The `read` or `gone` line of a message announced since the start: it became \Seen, or was
 * expunged or moved away, here (`tidings act`) or on any other device.
 */
export function messageChangeEvent(change: MessageChange, at: Date): Record<string, unknown> {
  return {
    event: change.event,
    account: change.account,
    mailbox: change.mailbox,
    uidValidity: change.uidValidity,
    uid: change.uid,
    messageId: change.messageId,
    at: at.toISOString(),
  };
}
