/**
 * One watcher per (account, mailbox) in IDLE mode: connect, SELECT, resync, IDLE. While
 * idling, the wait ends on a mailbox change, a trigger, the server ending IDLE, or the
 * heartbeat; leaving IDLE then proves the connection alive within a deadline. The
 * connection's life around it (budget, sign-in, backoff, sleep) is `ConnectionWatcher`'s.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import type { AccountSettings, LivenessSettings } from '../../../common/settings-schema.js';
import { TidingsError } from '../base/index.js';
import type { SelectedMailbox } from '../imap/index.js';
import { ConnectionWatcher, type WatcherDeps } from './connection-watcher.js';

export { type WakeReason, type WatcherDeps } from './connection-watcher.js';

/** Watches one mailbox of one account until stopped. */
export class MailboxWatcher extends ConnectionWatcher {
  private unread: number | null = null;

  constructor(
    account: AccountSettings,
    readonly mailbox: string,
    liveness: LivenessSettings,
    deps: WatcherDeps,
  ) {
    super(account, liveness, deps);
  }

  /** The latest status. */
  get status(): WatcherStatus {
    return this.snapshot();
  }

  /** One connection's life: connect, select, sync, then IDLE until it fails or we stop. */
  protected async watchOnce(): Promise<void> {
    // Connect, log in and SELECT inside the server's gate; the sync runs outside it.
    const { session, value: selected } = await this.connect(async (session) => {
      if (!session.has('IDLE')) {
        // imapflow would poll with NOOP in its place, hiding it; the set watcher polls openly.
        throw new TidingsError(
          'config',
          'the server does not offer IDLE (RFC 2177): set "watchMode" to "auto" to poll it',
        );
      }
      session.onMailboxChange((change) => {
        this.wake(change);
        // Mail, or someone reading it: the account is active, its polled mailboxes are asked
        // soon (issue 23, item 4). New mail at once; the rest at the resync below.
        if (change === 'exists') this.deps.onAccountActivity?.();
      });
      return session.select(this.mailbox);
    });
    this.answeredByFirstSync();
    // After a (re)connect anything may have happened to the mail announced before.
    await this.sync(selected, true);
    this.markHealthy();
    await this.listForSupervisor(session);
    // Later syncs run on the same selection: its HIGHESTMODSEQ says nothing about now.
    const { highestModseq: _stale, ...selection } = selected;

    while (!this.stopped && !this.asleep) {
      const reasons = this.takeReasons();
      if (reasons.length > 0) {
        // Every wake-up and resync of an IDLE connection: the polled mailboxes too, if their
        // last poll is a few seconds old (the poller answers at most every ACTIVE_POLL_GAP_MS).
        this.deps.onAccountActivity?.();
        this.setState('syncing', this.describeReasons(reasons));
        // New mail alone says nothing of the mail announced before; anything else may.
        await this.sync(
          selection,
          reasons.some((reason) => reason !== 'exists'),
        );
        continue;
      }
      this.setState('idle', this.idleText());
      const idleEnded = session.enterIdle();
      // A server may end IDLE on its own (RFC 2177 allows it after 30 minutes).
      const end = await this.waitOn(session, this.liveness.heartbeatSeconds * 1000, 'heartbeat', {
        promise: idleEnded,
        reason: 'idle-ended',
      });
      if (this.stopped || this.asleep) break;
      await session.leaveIdle(this.probeDeadline(end));
      if (end === 'heartbeat') this.deps.logger.debug(`${this.label()}: heartbeat ok`);
    }
    await this.logout(session);
  }

  private async sync(selected: SelectedMailbox, follow: boolean): Promise<void> {
    if (!this.session) return;
    const result = await this.syncSelected(this.session, selected, this.mailbox, follow);
    this.unread = result.unread;
  }

  protected publish(): void {
    this.deps.onStatus(this.snapshot());
  }

  private snapshot(): WatcherStatus {
    const { state, detail, unread, mailbox } = this;
    const at = new Date(this.deps.clock.now());
    return { account: this.account.id, mailbox, state, detail, unread, at, via: 'idle' };
  }

  protected idleDetail(): string {
    return this.unread === null ? 'watching' : `watching, ${this.unread} unread`;
  }

  protected label(): string {
    return `${this.account.id}/${this.mailbox}`;
  }
}
