/**
 * The `tidings watch --json` line formats of the README: `new-mail` and `status`, one JSON
 * object per line. There is no `summary` line: every message of a storm is its own
 * `new-mail` line, at once; grouping is for popups only. These are a public contract for
 * scripts: add fields, never rename them.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import type { Announcement } from '../../engine/index.js';

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
