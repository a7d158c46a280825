/**
 * One connection that watches several mailboxes of one account, in one of two ways:
 * - `notify`: NOTIFY SET STATUS (RFC 5465) for every mailbox; the server pushes an untagged
 *   STATUS when one that is not selected changes. INBOX, when watched, stays EXAMINEd between
 *   rounds and the connection waits in IDLE, so INBOX's news comes as EXISTS like a plain
 *   IDLE watcher's (see `home`); without INBOX the wait has no mailbox selected.
 * - `poll`: STATUS of each mailbox every `pollSeconds` (the mailboxes IDLE has no connection
 *   left for, on a server without NOTIFY).
 * A mailbox whose STATUS says it changed since its cursor (UIDVALIDITY, UIDNEXT, CONDSTORE's
 * HIGHESTMODSEQ) is EXAMINEd and resynced through the same path as IDLE's; which mailboxes a
 * round resyncs is `MailboxNews`'s bookkeeping. Every heartbeat also asks STATUS of a tenth
 * of the watched mailboxes, in turn, and compares each UIDNEXT with its mark: a push the
 * server never sent costs at most ten heartbeats, never the message. Nothing changes in the
 * exactly-once rules: cursors and the announcer are shared by modes.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import type { AccountSettings, LivenessSettings } from '../../../common/settings-schema.js';
import { TidingsError, type MailboxCursor } from '../base/index.js';
import {
  pathKey,
  samePath,
  type ImapSession,
  type MailboxChange,
  type MailboxStatus,
} from '../imap/index.js';

import { noteCursorWrites } from './cursor-writes.js';
import { FolderTree } from './folder-tree.js';
import { MailboxNews } from './mailbox-news.js';
import { isBehind, serverOf } from './mailbox-sync.js';
import {
  ConnectionWatcher,
  SUSPECT,
  type WakeReason,
  type WatcherDeps,
} from './connection-watcher.js';

/** How the set is watched; `auto` becomes `notify` or, without NOTIFY, asks the supervisor. */
export type SetWatchMode = 'notify' | 'poll' | 'auto';

/** What the set watcher needs beyond a watcher's deps. */
export interface SetWatcherOptions {
  mode: SetWatchMode;
  pollSeconds: number;
  /**
   * `auto` on a server without NOTIFY: the supervisor starts IDLE watchers for some of
   * `candidates` and answers which ones this connection polls instead (none: it logs out and
   * ends).
   */
  onNoNotify?: (candidates: readonly string[]) => readonly string[];
  /** Mailboxes IDLE watchers of the account cover: never watched here (`"all"` with IDLE). */
  idledElsewhere?: readonly string[];
  /** `"mailboxes": "all"` found another set: what this connection watches now. */
  onWatchedChange?: (mailboxes: readonly string[]) => void;
}

/**
 * While the account is active (mail reached one of its mailboxes), its polled mailboxes are
 * asked again once the last poll is this old, so `pollSeconds` is the ceiling of a polled
 * mailbox's delay, not its usual one (mailnag sweeps every folder whenever its IDLE folder
 * changes; this does the same, at most every ACTIVE_POLL_GAP_MS).
 */
export const ACTIVE_POLL_GAP_MS = 2_000;

/** How long the wait after a round that held a mailbox back lasts at most. */
const HELD_BACK_WAIT_MS = 1_000;

/** How often one mailbox may be resynced in one round (see `syncDue`). */
const MAX_RESYNCS_PER_ROUND = 3;

/**
 * The heartbeat's STATUS sweep looks at every watched mailbox within this many heartbeats
 * (10 minutes at the default 60 s), a slice at each, at most SWEEP_MAX_PER_HEARTBEAT: a
 * safety net behind pushes, not a poll. All at every heartbeat cost 50 mailboxes 0.12 % of
 * a core at rest and 600 KiB/h (bench/RESULTS.md, 2026-12-06). Past 200 watched mailboxes
 * the cap makes the sweep slower instead: at 1,000 a full sweep takes 50 heartbeats (50
 * minutes); 50 a heartbeat was most of 10 × 1,000 mailboxes' 0.22–0.27 % of a core at rest,
 * about 0.15–0.2 ms a mailbox (bench/RESULTS.md, issue 23).
 */
export const SWEEP_HEARTBEATS = 10;
export const SWEEP_MAX_PER_HEARTBEAT = 20;

/**
 * Wake reasons that are about some mailboxes (`news` has them already; a changed folder list
 * has been listed again), answered by a round without asking every mailbox.
 */
const MAILBOX_NEWS: ReadonlySet<WakeReason> = new Set([
  'exists',
  'expunge',
  'flags',
  'folders-changed',
]);

/** Watches `mailboxes` of `account` on one connection until stopped. */
export class MailboxSetWatcher extends ConnectionWatcher {
  private currentMode: SetWatchMode;
  private watched: string[] = [];
  // `watched` by `pathKey`, kept with it: each STATUS is looked up by name. At 1,000 watched,
  // a search of the list per STATUS was 60 % of the sweep's handling of its answers (issue 23).
  private byKey = new Map<string, string>();
  private readonly unread = new Map<string, number | null>();
  // What this connection's server said of each mailbox, and which ones a round must resync.
  private news = this.freshNews();
  // Mailboxes the latest STATUS round answered for (NOTIFY's first burst, a poll).
  private readonly answered = new Set<string>();
  private selectedPath: string | undefined;
  // The watched INBOX while this connection keeps it selected between rounds and waits in
  // IDLE (notify mode, with IDLE offered). Dovecot 2.3 reports a change of an unselected INBOX
  // through a check of its own (mailbox-list-index-notify.c: a stat() of INBOX's index log,
  // which its list-index notifier also takes when it runs, without raising INBOX's event), so
  // an INBOX change that coincides with another mailbox's news can go unreported. A selected
  // INBOX reports through the same path as plain IDLE, and every round ends by EXAMINing it
  // again, which shows anything that came while another mailbox was selected.
  private home: string | undefined;
  // Home's HIGHESTMODSEQ when the last round went back to it (CONDSTORE).
  private homeModseq: string | undefined;
  // Where the next heartbeat's STATUS sweep starts, and when the last one ran.
  private sweepFrom = 0;
  private lastSweep = 0;
  private lastPoll = 0;
  // Set by `pollSoon` until the next poll: the poll is due ACTIVE_POLL_GAP_MS after the last.
  private nudged = false;
  private retired = false;
  // True once this connection has sent its NOTIFY SET.
  private notifying = false;
  // Watched mailboxes NOTIFY's first STATUS burst left out: the server will not push them
  // either (Dovecot 2.3 matches NOTIFY's names as raw UTF-8, so "Entwürfe" or "A&B" sent in
  // modified UTF-7 match nothing), so they are polled with STATUS on this connection.
  private readonly unpushed = new Set<string>();
  // Watched mailboxes the server says do not exist, with the reason; the others go on.
  private readonly missing = new Map<string, string>();
  // `"mailboxes": "all"`: the mailboxes IDLE watchers cover instead, the tree as listed, and
  // whether it is to be listed again.
  private idledElsewhere: string[];
  private readonly tree: FolderTree;
  private relist = false;
  private listedAt = 0;

  constructor(
    account: AccountSettings,
    mailboxes: readonly string[],
    liveness: LivenessSettings,
    deps: WatcherDeps,
    private readonly options: SetWatcherOptions,
  ) {
    super(account, liveness, deps);
    // Every cursor this watcher writes (a resync, a baseline, a rename adopted) makes `news`
    // compare that mailbox again: its `dueAmong` looks only where something changed.
    this.store = noteCursorWrites(deps.store, (mailbox) => this.news.noteCursor(mailbox));
    this.currentMode = options.mode;
    this.idledElsewhere = [...(options.idledElsewhere ?? [])];
    this.tree = new FolderTree(account.id, serverOf(account), this.store, deps.logger);
    this.setWatched(mailboxes);
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

  /**
   * Mail came elsewhere in the account: polled mailboxes are asked at once, or as soon as the
   * last poll is ACTIVE_POLL_GAP_MS old. Nothing for a connection that polls nothing.
   */
  pollSoon(): void {
    // Only on a live connection: a wake would cut a backoff or an offline wait short.
    if (!this.polls() || (this.state !== 'idle' && this.state !== 'syncing')) return;
    this.nudged = true;
    this.wake('activity');
  }

  /** `"mailboxes": "all"`: every folder that can hold new mail, found by LIST. */
  private get all(): boolean {
    return this.account.allMailboxes === true;
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
      // EXISTS & co. come only for the mailbox selected (home, or one being resynced).
      session.onMailboxChange((change, path) => this.onMailboxChange(change, path));
      return undefined;
    });
    this.selectedPath = undefined;
    this.notifying = false;
    this.news = this.freshNews();
    if (this.all) await this.listAll(session);
    if (this.currentMode !== 'poll' && !this.chooseMode(session)) {
      await this.logout(session);
      return;
    }
    this.home =
      this.currentMode === 'notify' && session.has('IDLE')
        ? this.watched.find((mailbox) => samePath(mailbox, 'INBOX'))
        : undefined;
    this.answeredByFirstSync();
    this.setState('syncing', 'connected');
    this.touchFollowed();
    await this.checkAll(session);
    await this.syncDue(session);
    this.markHealthy();
    await this.listForSupervisor(session);

    while (!this.stopped && !this.asleep) {
      if (this.relist) await this.listAll(session);
      const taken = this.takeReasons();
      // Activity asks for a poll, not a round: it is answered by the poll (when due).
      if (taken.includes('activity')) await this.pollIfDue(session);
      const reasons = taken.filter((reason) => reason !== 'activity');
      if (reasons.length > 0 || this.news.dueAmong(this.watched).length > 0) {
        // Pushed news is activity too: what this connection polls is asked soon after.
        if (this.polls()) this.nudged = true;
        this.setState('syncing', this.describeReasons(reasons) || 'new mail');
        // A trigger (refresh, resume, network change) looks at every mailbox again.
        if (reasons.some((reason) => !MAILBOX_NEWS.has(reason))) {
          this.touchFollowed();
          await this.checkAll(session);
        }
        await this.syncDue(session);
        continue;
      }
      this.setState('idle', this.idleText());
      const atHome = this.home !== undefined && this.selectedPath === this.home;
      const end = atHome ? await this.idleAtHome(session) : await this.waitUnselected(session);
      this.news.endWait();
      if (this.stopped || this.asleep) break;
      if (end === 'heartbeat') {
        await this.onHeartbeat(session, atHome);
        this.deps.logger.debug(`${this.label()}: heartbeat ok`);
      } else if (SUSPECT.has(end as WakeReason) && !atHome) {
        await session.noop(this.probeDeadline(end));
      }
    }
    await this.logout(session);
  }

  /** Waits in IDLE with `home` selected; leaving IDLE proves the connection alive. */
  private async idleAtHome(session: ImapSession): Promise<string> {
    const idleEnded = session.enterIdle();
    // A server may end IDLE on its own (RFC 2177 allows it after 30 minutes).
    const end = await this.waitOn(session, this.nextWaitMs(), 'heartbeat', {
      promise: idleEnded,
      reason: 'idle-ended',
    });
    if (!this.stopped && !this.asleep) await session.leaveIdle(this.probeDeadline(end));
    return end;
  }

  /** Waits with no IDLE: NOTIFY pushes come unasked, polls come due. */
  private waitUnselected(session: ImapSession): Promise<string> {
    return this.waitOn(session, this.nextWaitMs(), 'heartbeat');
  }

  /**
   * The heartbeat: polls what is due, and asks STATUS of the watched mailboxes a slice at a
   * time (each under the command deadline, which also proves the connection alive).
   */
  private async onHeartbeat(session: ImapSession, atHome: boolean): Promise<void> {
    if (this.currentMode === 'poll') {
      // The poll is the sweep: every STATUS is under the command deadline.
      if (!(await this.pollIfDue(session))) await session.noop();
      return;
    }
    const polled = await this.pollIfDue(session);
    // A wait cut short for a poll (the account is active) is not a heartbeat: the sweep keeps
    // its pace of one slice a heartbeat, and the poll's commands proved the connection.
    if (polled && this.deps.clock.now() - this.lastSweep < this.liveness.heartbeatSeconds * 1000) {
      return;
    }
    this.lastSweep = this.deps.clock.now();
    // Under "all", the tree is listed again with each full sweep: a rename whose event was
    // missed and that no mail has shown yet is found within a sweep's heartbeats. Not at the
    // first heartbeat after the login's own LIST: at 1,000 folders a LIST is the heartbeat's
    // dearest command (bench/RESULTS.md, issue 23).
    const sweepMs = SWEEP_HEARTBEATS * this.liveness.heartbeatSeconds * 1000;
    if (this.all && this.sweepFrom === 0 && this.deps.clock.now() - this.listedAt >= sweepMs) {
      this.relist = true;
    }
    const asked = await this.sweep(session);
    // At home, leaving IDLE was the proof already.
    if (asked === 0 && !atHome) await session.noop();
  }

  /**
   * The safety net behind every push: STATUS of a slice of the watched mailboxes (not the
   * selected one, whose news comes as EXISTS), in turn, each compared with its mark; every
   * one is looked at within SWEEP_HEARTBEATS heartbeats (past the cap, within N / the cap).
   * Returns how many it asked.
   */
  private async sweep(session: ImapSession): Promise<number> {
    // Walks the watched list from where the last slice ended, skipping what is not asked
    // (the selected mailbox, missing ones): a slice's work, not a copy of the whole list each
    // heartbeat.
    const { watched } = this;
    const skipped = (mailbox: string) => mailbox === this.selectedPath || this.missing.has(mailbox);
    let others = watched.length;
    for (const mailbox of [this.selectedPath, ...this.missing.keys()]) {
      if (mailbox !== undefined && this.watchedAs(mailbox) === mailbox) others--;
    }
    const count = Math.min(SWEEP_MAX_PER_HEARTBEAT, Math.ceil(others / SWEEP_HEARTBEATS));
    const asked: string[] = [];
    // A slice ends at the end of the list, so that a full sweep begins at 0 (see the relist).
    let next = this.sweepFrom < watched.length ? this.sweepFrom : 0;
    for (; asked.length < count && next < watched.length; next++) {
      const mailbox = watched[next];
      if (mailbox !== undefined && !skipped(mailbox)) asked.push(mailbox);
    }
    await this.askStatuses(session, asked);
    this.sweepFrom = next < watched.length ? next : 0;
    return asked.length;
  }

  /**
   * Asks STATUS of the polled mailboxes (all of them in poll mode, NOTIFY's unpushed ones
   * otherwise) if a poll is due; true if it asked.
   */
  private async pollIfDue(session: ImapSession): Promise<boolean> {
    if (!this.polls() || !this.pollDue()) return false;
    if (this.currentMode === 'poll') {
      await this.checkAll(session);
      return true;
    }
    this.markPolled();
    await this.askStatuses(session, [...this.unpushed]);
    return true;
  }

  private markPolled(): void {
    this.lastPoll = this.deps.clock.now();
    this.nudged = false;
  }

  /** Whether this connection polls anything. */
  private polls(): boolean {
    return this.currentMode === 'poll' ? this.watched.length > 0 : this.unpushed.size > 0;
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
    const rest = idle ? (this.options.onNoNotify?.(this.watched) ?? this.watched) : this.watched;
    this.idledElsewhere.push(...this.watched.filter((mailbox) => !rest.includes(mailbox)));
    this.deps.logger.info(
      `${this.account.id}: the server has no NOTIFY` +
        (idle ? ': IDLE per mailbox' : ' and no IDLE') +
        (rest.length > 0 ? `, ${rest.join(', ')} polled every ${this.options.pollSeconds} s` : ''),
    );
    this.currentMode = 'poll';
    this.setWatched(rest);
    for (const mailbox of [...this.unread.keys()]) {
      if (!rest.includes(mailbox)) this.unread.delete(mailbox);
    }
    if (rest.length > 0 || this.all) return true;
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
      await session.notifySet(this.all ? 'personal' : this.watched);
      this.notifying = true;
      this.markPolled();
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
      // Without NOTIFY, "all" follows the tree by listing it at every poll.
      if (this.all && this.currentMode === 'poll' && this.tree.listed) await this.listAll(session);
      this.markPolled();
      // The selected mailbox (home) reports as EXISTS; a round EXAMINEs it again anyway.
      if (this.selectedPath !== undefined && this.watched.includes(this.selectedPath)) {
        this.news.noteChange(this.selectedPath);
      }
      await this.askStatuses(
        session,
        this.watched.filter((mailbox) => mailbox !== this.selectedPath),
      );
    }
    for (const mailbox of this.watched) {
      if (!this.answered.has(mailbox)) this.news.noteChange(mailbox);
    }
  }

  /**
   * After a (re)connect or a trigger anything may have happened to the mail announced before:
   * the mailboxes where some is followed are resynced and asked after it. Not at each poll:
   * its STATUS says when there are fewer unseen or fewer messages (`onMailboxStatus`).
   */
  private touchFollowed(): void {
    for (const mailbox of this.watched) {
      if (this.followsIn(mailbox)) this.news.noteTouched(mailbox);
    }
  }

  /**
   * STATUS of each of `mailboxes`: in one LIST-STATUS round trip where the server offers it
   * (imapflow sends one command at a time, so STATUS commands cannot be pipelined), one
   * STATUS each for the rest (no LIST-STATUS, a name LIST cannot match alone, a mailbox the
   * server did not list: its own STATUS names why).
   */
  private async askStatuses(session: ImapSession, mailboxes: readonly string[]): Promise<void> {
    const askedAt = this.news.now();
    // A refused LIST-STATUS comes back empty (the session falls back for good); a connection
    // that failed throws, as every STATUS would.
    const answered =
      mailboxes.length > 1 ? await session.statusMany(mailboxes) : new Map<string, MailboxStatus>();
    for (const mailbox of mailboxes) {
      const status = answered.get(mailbox);
      if (status) this.onMailboxStatus(status, askedAt);
      else await this.askStatus(session, mailbox);
    }
  }

  private async askStatus(session: ImapSession, mailbox: string): Promise<void> {
    const askedAt = this.news.now();
    try {
      this.onMailboxStatus(await session.status(mailbox), askedAt);
    } catch (error) {
      // One missing mailbox must not blind the others: its SELECT names the problem.
      if (!session.usable) throw error;
      this.news.noteChange(mailbox);
    }
  }

  /**
   * A round: EXAMINEs and resyncs each due mailbox, then goes back home (EXAMINE INBOX) or
   * leaves the last one (CLOSE), so that NOTIFY reports every other mailbox again; one STATUS
   * per resynced mailbox then closes the gap between its resync and leaving it. Repeats while
   * any mailbox is due; one resynced MAX_RESYNCS_PER_ROUND times waits for the next wait.
   */
  private async syncDue(session: ImapSession): Promise<void> {
    const rounds = new Map<string, number>();
    const tries = (mailbox: string): boolean => {
      const round = (rounds.get(mailbox) ?? 0) + 1;
      rounds.set(mailbox, round);
      if (round <= MAX_RESYNCS_PER_ROUND) return true;
      // A server whose STATUS keeps disagreeing with its SELECT must not hold us in a loop.
      this.news.defer(mailbox);
      this.deps.logger.debug(`${this.label()}: ${mailbox} resynced ${round - 1}× this round`);
      return false;
    };
    for (;;) {
      const synced: string[] = [];
      for (const mailbox of this.homeLast(this.news.dueAmong(this.watched))) {
        if (this.baselineFromStatus(mailbox)) continue;
        if (tries(mailbox) && (await this.resync(session, mailbox))) synced.push(mailbox);
      }
      const homeSynced = await this.leaveForTheWait(session, tries);
      // Mail that came between a mailbox's resync and leaving it was reported as EXISTS (seen
      // above) or not at all; from now on NOTIFY reports it as STATUS. One STATUS each closes
      // that gap. A poll looks again at its next round anyway.
      if (this.currentMode === 'notify') {
        for (const mailbox of synced) {
          if (mailbox !== this.selectedPath) await this.askStatus(session, mailbox);
        }
      }
      if (synced.length === 0 && !homeSynced) break;
      if (this.news.dueAmong(this.watched).length === 0) break;
    }
    // Every EXISTS or STATUS that woke us is answered now, or still due in `news`.
    for (const reason of MAILBOX_NEWS) this.pending.delete(reason);
  }

  /**
   * A mailbox to baseline (first watch, a cursor of another server) whose
   * STATUS is known needs no EXAMINE: the baseline is that STATUS's UIDNEXT − 1, as SELECT's
   * would be, and mail after it gets a higher UID. So a first start costs NOTIFY SET's one
   * burst of STATUS, not one EXAMINE per mailbox (issue 23). Not with news a STATUS did not
   * count (an EXISTS), nor without both UIDVALIDITY and UIDNEXT. True if it baselined.
   */
  private baselineFromStatus(mailbox: string): boolean {
    const status = this.news.latest(mailbox);
    const { uidValidity, uidNext } = status ?? {};
    if (uidValidity === undefined || uidNext === undefined || this.news.hasUnverified(mailbox)) {
      return false;
    }
    const server = serverOf(this.account);
    const cursor = this.store.getCursor(this.account.id, mailbox);
    const otherServer = cursor?.server !== undefined && cursor.server !== server;
    if (cursor && !otherServer && cursor.uidValidity === uidValidity) return false;
    // A new UIDVALIDITY is taken from EXAMINE, not from a STATUS alone: it is rare, and a
    // pushed STATUS that lies about it must not move the mark past mail (a cursor baselined
    // empty under a number the server may not keep is also the resync's to judge).
    if (cursor && !otherServer) return false;
    if (this.tree.adoptCreated(mailbox, uidValidity)) return false;
    const baseline = cursor ? 'server-changed' : 'first-watch';
    const fresh: MailboxCursor = { uidValidity, highestUid: Math.max(0, uidNext - 1), server };
    if (status?.messages === 0) fresh.provisional = true;
    // With both, the next SELECT may skip its searches while HIGHESTMODSEQ stays the same.
    if (status?.highestModseq !== undefined && status.unseen !== undefined) {
      Object.assign(fresh, { highestModseq: status.highestModseq, unread: status.unseen });
    }
    this.store.setCursor(this.account.id, mailbox, fresh);
    this.noteBaseline(mailbox, baseline);
    if (status?.unseen !== undefined) this.setUnread(mailbox, status.unseen);
    if (this.missing.delete(mailbox)) this.deps.onStatus(this.snapshot(mailbox));
    return true;
  }

  /**
   * `"mailboxes": "all"`: LISTs the tree and watches what can hold new mail but what IDLE
   * watchers cover (folder-tree.ts). A mailbox that went is dropped quietly. One that appeared
   * after the first LIST was created while watched: its mail is new, announced from its first
   * message, unless it is a renamed one (`FolderTree.adoptCreated`).
   */
  private async listAll(session: ImapSession): Promise<void> {
    this.relist = false;
    this.listedAt = this.deps.clock.now();
    const { account } = this;
    const listing = await session.listAll();
    // The supervisor learns from it too (popup buttons): the "all" account lists no more.
    this.deps.mailboxList?.note(listing.listed);
    const change = this.tree.update(
      listing,
      account.ignoreMailboxes ?? [],
      this.watched,
      this.idledElsewhere,
    );
    const { added, gone, first } = change;
    for (const mailbox of gone) {
      this.unread.delete(mailbox);
      this.news.forget(mailbox);
      this.missing.delete(mailbox);
    }
    this.setWatched(change.watched);
    for (const mailbox of added) this.unread.set(mailbox, null);
    if (gone.length > 0 || added.length > 0) {
      this.deps.logger.info(
        `${account.id}: "all" covers ${this.coverage()}` +
          (first ? '' : added.length > 0 ? `; added ${added.join(', ')}` : '') +
          (gone.length > 0 ? `; dropped ${gone.join(', ')}` : ''),
      );
      this.options.onWatchedChange?.(this.watched);
    }
    // Mailboxes that came after the first LIST: what the server says of them now.
    if (!first) for (const mailbox of added) await this.askStatus(session, mailbox);
  }

  /** "all 12 folders", or "the first 1000 of 1200 folders": what "all" covers. */
  private coverage(): string {
    return this.tree.coverage(this.watched.length + this.idledElsewhere.length);
  }

  /** `mailboxes` with home last: a round ends where the wait happens. */
  private homeLast(mailboxes: string[]): string[] {
    const home = this.home;
    if (home === undefined || !mailboxes.includes(home)) return mailboxes;
    return [...mailboxes.filter((mailbox) => mailbox !== home), home];
  }

  /** EXAMINEs `mailbox` and resyncs it from its cursor; false if the server has no such mailbox. */
  private async resync(session: ImapSession, mailbox: string): Promise<boolean> {
    // From here on, news of this mailbox is not answered by this resync.
    const touched = this.news.takeTouched(mailbox);
    this.news.startSync(mailbox);
    this.selectedPath = mailbox;
    let selected;
    try {
      selected = await session.select(mailbox);
    } catch (error) {
      // One missing mailbox must not stop the others: it waits for a STATUS or a trigger.
      if (!(error instanceof TidingsError) || error.code !== 'mailbox') throw error;
      // A failed EXAMINE has left nothing selected (RFC 3501 §6.3.1).
      this.selectedPath = undefined;
      this.news.forget(mailbox);
      this.markMissing(mailbox, error.message);
      return false;
    }
    // Not adopted from a STATUS (none came, or news without numbers made it due): the EXAMINE
    // tells, or the sync would take the mail already in it as a first watch's old mail.
    this.tree.adoptCreated(mailbox, selected.uidValidity);
    const result = await this.syncSelected(session, selected, mailbox, touched);
    if (this.missing.delete(mailbox)) this.deps.onStatus(this.snapshot(mailbox));
    this.setUnread(mailbox, result.unread);
    this.news.noteCounts(mailbox, { messages: selected.exists, unseen: result.unread });
    return true;
  }

  /**
   * Ends a round where the wait happens: at home (EXAMINE INBOX again, resynced if its SELECT
   * shows mail past the mark), else with nothing selected (CLOSE). True if home was resynced.
   */
  private async leaveForTheWait(
    session: ImapSession,
    tries: (mailbox: string) => boolean,
  ): Promise<boolean> {
    const home = this.home;
    if (home === undefined) {
      if (this.selectedPath !== undefined) await session.unselect();
      this.selectedPath = undefined;
      return false;
    }
    if (this.selectedPath === home || this.missing.has(home)) return false;
    this.news.startSync(home);
    this.selectedPath = home;
    const selected = await session.select(home);
    // While the round was elsewhere, home's flag changes and expunges went unreported (no
    // STATUS for it came, or Dovecot 2.3 lost it: see `home`): with mail announced there
    // still followed, a mod-sequence that moved (or none to tell by) asks after it.
    const moved =
      selected.highestModseq === undefined || selected.highestModseq !== this.homeModseq;
    this.homeModseq = selected.highestModseq;
    const follow = this.news.takeTouched(home) || (moved && this.followsIn(home));
    const cursor = this.store.getCursor(this.account.id, home);
    const behind = isBehind(cursor, serverOf(this.account), selected);
    if ((!behind && !follow) || !tries(home)) return false;
    const result = await this.syncSelected(session, selected, home, follow);
    this.setUnread(home, result.unread);
    return true;
  }

  private markMissing(mailbox: string, reason: string): void {
    const detail = `${reason}; watching for it to come back`;
    if (this.missing.get(mailbox) === detail) return;
    this.missing.set(mailbox, detail);
    this.deps.onStatus(this.snapshot(mailbox));
  }

  private onMailboxListed(path: string, exists: boolean): void {
    if (this.all) {
      // Under "all" a folder created, renamed or deleted changes the set: list it again.
      this.relist = true;
      this.wake('folders-changed');
      return;
    }
    const mailbox = this.watchedAs(path);
    if (!mailbox) return;
    if (!exists) {
      this.markMissing(mailbox, `mailbox not found: ${mailbox} (deleted)`);
      return;
    }
    // Dovecot also lists a mailbox it just created on its own (a new user's INBOX): only a
    // missing one's return is news.
    if (!this.missing.has(mailbox)) return;
    this.news.noteChange(mailbox);
    this.wake('exists');
  }

  /** EXISTS, EXPUNGE or FETCH FLAGS for the selected mailbox: a resync answers it. */
  private onMailboxChange(change: MailboxChange, path: string | undefined): void {
    // imapflow names the mailbox the response was about; else it is the selected one.
    const mailbox = this.watchedAs(path ?? '');
    const about = mailbox ?? this.selectedPath;
    if (!about) return;
    this.deps.logger.debug(`${this.label()}: ${change} in ${about}`);
    if (change === 'exists') this.news.noteChange(about);
    else this.news.noteTouched(about);
    this.wake(change);
  }

  /** A STATUS (pushed, or asked at `askedAt`): kept, and a resync woken if it shows news. */
  private onMailboxStatus(status: MailboxStatus, askedAt?: number): void {
    const mailbox = this.watchedAs(status.path) ?? this.watchedAs(status.rawPath ?? '');
    if (!mailbox) {
      // Under "all", news of a mailbox the last LIST did not show: the tree changed and its
      // MailboxName event was missed (one that comes while imapflow runs a LIST is taken as
      // part of its answer). List again, so a renamed or new folder's mail is not lost.
      if (this.all && this.tree.listed && !this.tree.shows(status.path)) {
        this.relist = true;
        this.wake('folders-changed');
      }
      return;
    }
    this.answered.add(mailbox);
    // What was known before: the last STATUS, else the count the last resync left (a home
    // mailbox has no STATUS until a round leaves it).
    const before = this.news.latest(mailbox);
    const unseenBefore = before?.unseen ?? this.unread.get(mailbox) ?? undefined;
    if (status.unseen !== undefined && mailbox !== this.selectedPath) {
      this.setUnread(mailbox, status.unseen);
    }
    let due = this.news.noteStatus(mailbox, status, askedAt);
    // Fewer unseen or fewer messages than before plus what came (UIDNEXT moved) where
    // announced mail is followed: one may have been read or moved away, maybe while another
    // came; the resync asks which (issue 24). A message that came \Seen costs a needless ask.
    const came =
      status.uidNext !== undefined && before?.uidNext !== undefined
        ? Math.max(0, status.uidNext - before.uidNext)
        : 0;
    const fewer = (now: number | undefined, then: number | undefined) =>
      now !== undefined && then !== undefined && now < then + came;
    if (
      this.followsIn(mailbox) &&
      (fewer(status.unseen, unseenBefore) || fewer(status.messages, before?.messages))
    ) {
      this.news.noteTouched(mailbox);
      due = true;
    }
    const mark = this.store.getCursor(this.account.id, mailbox)?.highestUid;
    this.deps.logger.debug(
      `${this.label()}: STATUS ${mailbox} ${askedAt === undefined ? 'pushed' : 'asked'}: ` +
        `UIDNEXT ${status.uidNext ?? '-'} UIDVALIDITY ${status.uidValidity ?? '-'}, ` +
        `mark ${mark ?? '-'}${due ? ': resync' : ''}`,
    );
    if (due) this.wake('exists');
  }

  private setWatched(mailboxes: readonly string[]): void {
    this.watched = [...mailboxes];
    this.byKey = new Map();
    // The first of two spellings of INBOX wins, as a search of the list would.
    for (const mailbox of [...mailboxes].reverse()) this.byKey.set(pathKey(mailbox), mailbox);
  }

  /** The watched mailbox `path` names (INBOX in any case), if any. */
  private watchedAs(path: string): string | undefined {
    return this.byKey.get(pathKey(path));
  }

  private freshNews(): MailboxNews {
    const server = serverOf(this.account);
    return new MailboxNews((mailbox, status) =>
      isBehind(this.store.getCursor(this.account.id, mailbox), server, status),
    );
  }

  private setUnread(mailbox: string, unread: number): void {
    if (this.unread.get(mailbox) === unread) return;
    this.unread.set(mailbox, unread);
    if (this.state === 'idle') this.deps.onStatus(this.snapshot(mailbox));
  }

  private nextWaitMs(): number {
    // A mailbox held back (resynced MAX_RESYNCS_PER_ROUND times in one round: mail was still
    // streaming in) is due once the wait ends: a short wait, not a heartbeat, or its mail
    // would wait minutes for the next one (found by the interleaving test).
    const heartbeat = this.news.holdsBack
      ? Math.min(HELD_BACK_WAIT_MS, this.liveness.heartbeatSeconds * 1000)
      : this.liveness.heartbeatSeconds * 1000;
    if (!this.polls()) return heartbeat;
    const untilPoll = this.nextPollAt() - this.deps.clock.now();
    return Math.max(0, Math.min(heartbeat, untilPoll));
  }

  /** When the next poll is due: `pollSeconds` after the last, sooner while the account is active. */
  private nextPollAt(): number {
    const gap = this.nudged ? ACTIVE_POLL_GAP_MS : this.options.pollSeconds * 1000;
    return this.lastPoll + gap;
  }

  private pollDue(): boolean {
    return this.deps.clock.now() >= this.nextPollAt();
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
    return this.howWatched(this.currentMode === 'poll');
  }

  private polled(mailbox: string): boolean {
    return this.currentMode === 'poll' || this.unpushed.has(mailbox);
  }

  /** "checked every 60 s" or "watching (NOTIFY)": the words of the tray and `--json`. */
  private howWatched(polled: boolean): string {
    const how = polled ? `checked every ${this.options.pollSeconds} s` : 'watching (NOTIFY)';
    return this.all && this.tree.listed ? `${how}, ${this.coverage()}` : how;
  }

  private idleDetailOf(mailbox: string, unread: number | null): string {
    const how = this.howWatched(this.polled(mailbox));
    return unread === null ? how : `${how}, ${unread} unread`;
  }

  protected label(): string {
    return `${this.account.id}/${this.currentMode === 'poll' ? 'polled' : 'NOTIFY'}`;
  }
}
