/**
 * The `tidings watch --json` line formats of DESIGN.md: `new-mail`, `summary` and `status`,
 * one JSON object per line. These are a public contract for scripts: add fields, never
 * rename them.
 */
import type { WatcherStatus } from '../../common/account-status.js';
import type { Announcement } from '../engine/index.js';

/** The JSON line of an announcement. */
export function announcementEvent(announcement: Announcement): Record<string, unknown> {
  if (announcement.kind === 'message') {
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
  return {
    event: 'summary',
    account: announcement.account,
    mailbox: announcement.mailbox,
    count: announcement.count,
    uids: announcement.uids,
    messageIds: announcement.messageIds,
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
    at: status.at.toISOString(),
  };
}
