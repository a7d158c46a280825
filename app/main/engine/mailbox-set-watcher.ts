/**
 * One connection that watches several mailboxes of one account, in one of two ways:
 * - `notify`: NOTIFY SET STATUS (RFC 5465) for every mailbox; the server pushes an untagged
 *   STATUS when one changes. The wait happens with no mailbox selected, so every watched
 *   mailbox reports the same way, and NOOP is the heartbeat.
 * - `poll`: STATUS of each mailbox every `pollSeconds` (the mailboxes IDLE has no connection
 *   left for, on a server without NOTIFY).
 * A mailbox whose STATUS says it changed since its cursor (UIDVALIDITY, UIDNEXT, CONDSTORE's
 * HIGHESTMODSEQ) is EXAMINEd and resynced through the same path as IDLE's, then closed again.
 * Nothing changes in the exactly-once rules: cursors and the announcer are shared by modes.
 */
import type { WatcherStatus } from '../../common/account-status.js';
import {
  resolvePort,
  type AccountSettings,
  type LivenessSettings,
} from '../../common/settings-schema.js';
import { TidingsError } from './errors.js';
import { samePath, type ImapSession, type MailboxStatus } from './imap-session.js';
import { ConnectionWatcher, SUSPECT, type WakeReason, type WatcherDeps } from './watcher-base.js';

/** How the set is watched; `auto` becomes `notify` or, without NOTIFY, asks the supervisor. */
export type SetWatchMode = 'notify' | 'poll' | 'auto';

/** What the set watcher needs beyond a watcher's deps. */
export interface SetWatcherOptions {
  mode: SetWatchMode;
  pollSeconds: number;
  /**
   * `auto` on a server without NOTIFY: the supervisor starts IDLE watchers and answers which
   * mailboxes this connection polls instead (none: it logs out and ends).
   */
  onNoNotify?: () => readonly string[];
}

/** How often one mailbox may be resynced in one round (see `syncDirty`). */
const MAX_RESYNCS_PER_ROUND = 3;

/** Wake reasons that are about one mailbox (its flag is set in `dirty` already). */
const MAILBOX_NEWS: ReadonlySet<WakeReason> = new Set(['exists', 'expunge', 'flags']);

/** Watches `mailboxes` of `account` on one connection until stopped. */
export class MailboxSetWatcher extends ConnectionWatcher {
  private currentMode: SetWatchMode;
  private watched: string[];
  private readonly unread = new Map<string, number | null>();
  // Mailboxes whose STATUS says they changed since their cursor; the next round syncs them.
  private readonly dirty = new Set<string>();
  // Mailboxes the latest STATUS round answered for (NOTIFY's first burst, a poll).
  private readonly answered = new Set<string>();
  private selectedPath: string | undefined;
  private lastPoll = 0;
  private retired = false;
  // True once this connection has sent its NOTIFY SET.
  private notifying = false;
  // Watched mailboxes NOTIFY's first STATUS burst left out: the server will not push them
  // either (Dovecot 2.3 matches NOTIFY's names as raw UTF-8, so "Entwürfe" or "A&B" sent in
  // modified UTF-7 match nothing), so they are polled with STATUS on this connection.
  private readonly unpushed = new Set<string>();
  // Watched mailboxes the server says do not exist, with the reason; the others go on.
  private readonly missing = new Map<string, string>();

  constructor(
    account: AccountSettings,
    mailboxes: readonly string[],
    liveness: LivenessSettings,
    deps: WatcherDeps,
    private readonly options: SetWatcherOptions,
  ) {
    super(account, liveness, deps);
    this.currentMode = options.mode;
    this.watched = [...mailboxes];
    for (const mailbox of mailboxes) this.unread.set(mailbox, null);
  }

  /** How it watches now (`auto` until the first login has told). */
  get mode(): SetWatchMode {
    return this.currentMode;
  }

  /** The mailboxes this connection watches now. */
  get mailboxes(): readonly string[] {
    return this.watched;
  }

  /** The latest status of each mailbox it watches. */
  get statuses(): WatcherStatus[] {
    return this.watched.map((mailbox) => this.snapshot(mailbox));
  }

  /** True once `auto` handed every mailbox to IDLE watchers: the loop has ended. */
  get handedOver(): boolean {
    return this.retired;
  }

  protected async watchOnce(): Promise<void> {
    const { session } = await this.connect(async (session) => {
      session.onMailboxStatus((status) => this.onMailboxStatus(status));
      // NOTIFY's MailboxName event: a watched mailbox deleted, or created again.
      session.onMailboxListed((path, exists) => this.onMailboxListed(path, exists));
      // EXISTS & co. come only for the mailbox selected during a resync round.
      session.onMailboxChange((change, path) => {
        // imapflow names the mailbox the response was about; else it is the selected one.
        const mailbox = this.watched.find((watched) => samePath(watched, path ?? ''));
        const about = mailbox ?? this.selectedPath;
        if (!about) return;
        this.dirty.add(about);
        this.wake(change);
      });
      return undefined;
    });
    this.selectedPath = undefined;
    this.notifying = false;
    if (this.currentMode !== 'poll' && !this.chooseMode(session)) {
      await this.logout(session);
      return;
    }
    this.answeredByFirstSync();
    this.setState('syncing', 'connected');
    await this.checkAll(session);
    await this.syncDirty(session);
    this.markHealthy();

    while (!this.stopped && !this.asleep) {
      const reasons = this.takeReasons();
      if (reasons.length > 0 || this.dirty.size > 0) {
        this.setState('syncing', this.describeReasons(reasons) || 'new mail');
        // A trigger (refresh, resume, network change) looks at every mailbox again.
        if (reasons.some((reason) => !MAILBOX_NEWS.has(reason))) await this.checkAll(session);
        await this.syncDirty(session);
        continue;
      }
      this.setState('idle', this.idleText());
      const end = await this.waitOn(session, this.nextWaitMs(), 'heartbeat');
      if (this.stopped || this.asleep) break;
      if (end === 'heartbeat' && this.currentMode === 'poll' && this.pollDue()) {
        // The poll is the heartbeat: every STATUS is under the command deadline.
        await this.checkAll(session);
      } else if (end === 'heartbeat' && this.unpushed.size > 0 && this.pollDue()) {
        this.lastPoll = this.deps.clock.now();
        for (const mailbox of this.unpushed) await this.askStatus(session, mailbox);
      } else if (end === 'heartbeat' || SUSPECT.has(end as WakeReason)) {
        await session.noop(this.probeDeadline(end));
        if (end === 'heartbeat') this.deps.logger.debug(`${this.label()}: heartbeat ok`);
      }
    }
    await this.logout(session);
  }

  /**
   * After login: `notify` needs the capability; `auto` without it hands over to the
   * supervisor's fallback plan. False when nothing is left for this connection to do.
   */
  private chooseMode(session: ImapSession): boolean {
    if (session.has('NOTIFY')) {
      this.currentMode = 'notify';
      return true;
    }
    if (this.options.mode === 'notify') {
      throw new TidingsError(
        'config',
        'the server does not offer NOTIFY (RFC 5465): set "watchMode" to "auto" or "idle"',
      );
    }
    // Without IDLE either (RFC 2177 is an extension too), every mailbox is polled.
    const idle = session.has('IDLE');
    const rest = idle ? (this.options.onNoNotify?.() ?? this.watched) : this.watched;
    this.deps.logger.info(
      `${this.account.id}: the server has no NOTIFY` +
        (idle ? ': IDLE per mailbox' : ' and no IDLE') +
        (rest.length > 0 ? `, ${rest.join(', ')} polled every ${this.options.pollSeconds} s` : ''),
    );
    this.currentMode = 'poll';
    this.watched = [...rest];
    for (const mailbox of [...this.unread.keys()]) {
      if (!rest.includes(mailbox)) this.unread.delete(mailbox);
    }
    if (rest.length > 0) return true;
    this.retired = true;
    this.retire();
    return false;
  }

  /**
   * Learns every mailbox's STATUS: NOTIFY SET STATUS sends them all (and then keeps sending
   * changes); a poll asks for each. A mailbox the server said nothing about is synced.
   */
  private async checkAll(session: ImapSession): Promise<void> {
    this.answered.clear();
    if (this.currentMode === 'notify' && !this.notifying) {
      // Once per connection: Dovecot 2.3 pushes nothing more after a second NOTIFY SET on
      // the same connection (seen here: mail after it came to light only at the next
      // command, and not all of it), so a refresh asks STATUS instead, like a poll.
      await session.notifySet(this.watched);
      this.notifying = true;
      this.lastPoll = this.deps.clock.now();
      this.unpushed.clear();
      // Only those: a mailbox left out because it does not exist yet (a new user's INBOX,
      // one deleted) is pushed once it does.
      for (const mailbox of this.watched) {
        if (!this.answered.has(mailbox) && session.encodesName(mailbox)) this.unpushed.add(mailbox);
      }
      if (this.unpushed.size > 0) {
        this.deps.logger.info(
          `${this.account.id}: NOTIFY does not report ${[...this.unpushed].join(', ')}: ` +
            `polled every ${this.options.pollSeconds} s on the same connection`,
        );
      }
    } else {
      this.lastPoll = this.deps.clock.now();
      for (const mailbox of this.watched) {
        await this.askStatus(session, mailbox);
      }
    }
    for (const mailbox of this.watched) if (!this.answered.has(mailbox)) this.dirty.add(mailbox);
  }

  private async askStatus(session: ImapSession, mailbox: string): Promise<void> {
    try {
      this.onMailboxStatus(await session.status(mailbox));
    } catch (error) {
      // One missing mailbox must not blind the others: its SELECT names the problem.
      if (!session.usable) throw error;
      this.dirty.add(mailbox);
    }
  }

  /** EXAMINEs and resyncs each changed mailbox, then leaves it so NOTIFY reports it again. */
  private async syncDirty(session: ImapSession): Promise<void> {
    // A server whose STATUS keeps disagreeing with its SELECT must not hold us in a loop: each
    // mailbox is resynced at most this often per round, the rest waits for the next news.
    const rounds = new Map<string, number>();
    while (this.dirty.size > 0) {
      const synced: string[] = [];
      let selectedAny = false;
      for (const mailbox of this.watched) {
        if (!this.dirty.delete(mailbox)) continue;
        const round = (rounds.get(mailbox) ?? 0) + 1;
        rounds.set(mailbox, round);
        if (round > MAX_RESYNCS_PER_ROUND) {
          this.deps.logger.debug(`${this.label()}: ${mailbox} resynced ${round - 1}× this round`);
          continue;
        }
        selectedAny = true;
        this.selectedPath = mailbox;
        let selected;
        try {
          selected = await session.select(mailbox);
        } catch (error) {
          // One missing mailbox must not stop the others: it waits for a STATUS or a trigger.
          if (!(error instanceof TidingsError) || error.code !== 'mailbox') throw error;
          this.selectedPath = undefined;
          this.markMissing(mailbox, error.message);
          continue;
        }
        const result = await this.syncSelected(session, selected, mailbox);
        if (this.missing.delete(mailbox)) this.deps.onStatus(this.snapshot(mailbox));
        this.setUnread(mailbox, result.unread);
        synced.push(mailbox);
      }
      if (!selectedAny) break;
      // A failed EXAMINE has left nothing selected already (RFC 3501 §6.3.1).
      if (this.selectedPath !== undefined) await session.unselect();
      this.selectedPath = undefined;
      // Mail that came between a mailbox's resync and the CLOSE was reported as EXISTS (seen
      // above) or not at all; from now on NOTIFY reports it as STATUS. One STATUS each closes
      // that gap. A poll looks again at its next round anyway.
      if (this.currentMode === 'notify') {
        for (const mailbox of synced) await this.askStatus(session, mailbox);
      }
      for (const mailbox of this.dirty) {
        if (!this.watched.includes(mailbox)) this.dirty.delete(mailbox);
      }
    }
    // Every EXISTS or STATUS that woke us is answered now.
    for (const reason of MAILBOX_NEWS) this.pending.delete(reason);
  }

  private markMissing(mailbox: string, reason: string): void {
    const detail = `${reason}; watching for it to come back`;
    if (this.missing.get(mailbox) === detail) return;
    this.missing.set(mailbox, detail);
    this.deps.onStatus(this.snapshot(mailbox));
  }

  private onMailboxListed(path: string, exists: boolean): void {
    const mailbox = this.watched.find((watched) => samePath(watched, path));
    if (!mailbox) return;
    if (!exists) {
      this.markMissing(mailbox, `mailbox not found: ${mailbox} (deleted)`);
      return;
    }
    // Dovecot also lists a mailbox it just created on its own (a new user's INBOX): only a
    // missing one's return is news.
    if (!this.missing.has(mailbox)) return;
    this.dirty.add(mailbox);
    this.wake('exists');
  }

  /** A STATUS (pushed or asked): marks the mailbox changed if its cursor is behind. */
  private onMailboxStatus(status: MailboxStatus): void {
    const mailbox = this.watched.find(
      (path) => samePath(path, status.path) || samePath(path, status.rawPath ?? ''),
    );
    if (!mailbox) return;
    this.answered.add(mailbox);
    if (status.unseen !== undefined && mailbox !== this.selectedPath) {
      this.setUnread(mailbox, status.unseen);
    }
    if (this.isBehind(mailbox, status)) {
      this.dirty.add(mailbox);
      this.wake('exists');
    }
  }

  private isBehind(mailbox: string, status: MailboxStatus): boolean {
    const { account } = this;
    const cursor = this.deps.store.getCursor(account.id, mailbox);
    const server = `${account.user}@${account.host.toLowerCase()}:${resolvePort(account)}`;
    if (!cursor || (cursor.server !== undefined && cursor.server !== server)) return true;
    if (status.uidValidity !== undefined && status.uidValidity !== cursor.uidValidity) return true;
    // Without UIDNEXT the STATUS cannot say: look.
    if (status.uidNext === undefined) return true;
    if (status.uidNext - 1 > cursor.highestUid) return true;
    // Flags or expunges: the count comes with STATUS when the server sends UNSEEN.
    return status.unseen === undefined && cursor.highestModseq !== status.highestModseq;
  }

  private setUnread(mailbox: string, unread: number): void {
    if (this.unread.get(mailbox) === unread) return;
    this.unread.set(mailbox, unread);
    if (this.state === 'idle') this.deps.onStatus(this.snapshot(mailbox));
  }

  private nextWaitMs(): number {
    const heartbeat = this.liveness.heartbeatSeconds * 1000;
    if (this.currentMode !== 'poll' && this.unpushed.size === 0) return heartbeat;
    const untilPoll = this.lastPoll + this.options.pollSeconds * 1000 - this.deps.clock.now();
    return Math.max(0, Math.min(heartbeat, untilPoll));
  }

  private pollDue(): boolean {
    return this.deps.clock.now() >= this.lastPoll + this.options.pollSeconds * 1000;
  }

  protected publish(): void {
    for (const mailbox of this.watched) this.deps.onStatus(this.snapshot(mailbox));
  }

  private snapshot(mailbox: string): WatcherStatus {
    const unread = this.unread.get(mailbox) ?? null;
    const at = new Date(this.deps.clock.now());
    const via = this.polled(mailbox) ? 'poll' : 'notify';
    const missing = this.missing.get(mailbox);
    const live = this.state === 'idle' || this.state === 'syncing';
    const state = missing && live ? 'error' : this.state;
    const detail =
      missing && live
        ? missing
        : this.state === 'idle'
          ? `${this.idleDetailOf(mailbox, unread)}${this.alertSuffix()}`
          : this.detail;
    return { account: this.account.id, mailbox, state, detail, unread, at, via };
  }

  protected idleDetail(): string {
    return this.currentMode === 'poll'
      ? `checked every ${this.options.pollSeconds} s`
      : 'watching (NOTIFY)';
  }

  private polled(mailbox: string): boolean {
    return this.currentMode === 'poll' || this.unpushed.has(mailbox);
  }

  private idleDetailOf(mailbox: string, unread: number | null): string {
    const how = this.polled(mailbox)
      ? `checked every ${this.options.pollSeconds} s`
      : 'watching (NOTIFY)';
    return unread === null ? how : `${how}, ${unread} unread`;
  }

  protected label(): string {
    return `${this.account.id}/${this.currentMode === 'poll' ? 'polled' : 'NOTIFY'}`;
  }
}
