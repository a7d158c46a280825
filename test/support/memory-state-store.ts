/** An in-memory `StateStore` for unit tests (integration tests use the real conf store). */
import type { MailboxCursor, StateStore } from '../../app/main/engine/base/ports.js';

/** Keeps state in maps; `writes` counts persistence calls. */
export class MemoryStateStore implements StateStore {
  readonly cursors = new Map<string, MailboxCursor>();
  readonly messageIds = new Map<string, string[]>();
  writes = 0;

  getCursor(account: string, mailbox: string): MailboxCursor | undefined {
    return this.cursors.get(`${account}/${mailbox}`);
  }
  setCursor(account: string, mailbox: string, cursor: MailboxCursor): void {
    this.writes++;
    this.cursors.set(`${account}/${mailbox}`, { ...cursor });
  }
  getAnnouncedMessageIds(account: string): string[] {
    return [...(this.messageIds.get(account) ?? [])];
  }
  setAnnouncedMessageIds(account: string, messageIds: string[]): void {
    this.writes++;
    this.messageIds.set(account, [...messageIds]);
  }
}
