/**
 * The life of one watched connection, whatever waits on it: connect within the account's
 * budget and the server's gate, and around it the liveness rules of the README ("Never hang,
 * never go silent"). Every wait ends on a trigger (refresh, resume, network change, stop:
 * each aborts the wait's AbortController); every failure goes through `recover`, which
 * carries out `nextStep` (next-step.ts): retry with backoff, wait for the network, or stop
 * and wait for the user. Subclasses say what one connection does (`watchOnce`) and how their
 * state is published: `MailboxWatcher` (idle-watcher.ts) IDLEs on one mailbox,
 * `MailboxSetWatcher` (status-watcher.ts) watches several through NOTIFY or STATUS polls.
 */
import type { WatcherState } from '../../../common/account-status.js';
import {
  resolvePort,
  type AccountSettings,
  type LivenessSettings,
} from '../../../common/settings-schema.js';
import { openSignedIn } from '../auth/index.js';
import {
  classifyError,
  isLoopbackHost,
  sanitizeServerText,
  sleep,
  TidingsError,
  type Clock,
  type CredentialSource,
  type Credentials,
  type Logger,
  type MessageChange,
  type StateStore,
  type StatusListener,
} from '../base/index.js';
import {
  accountSessionOptions,
  flagsOf,
  ImapSession,
  type ConnectGate,
  type EarlyConnections,
  type ListedMailbox,
  type SelectedMailbox,
} from '../imap/index.js';
import type { PreviewGate } from '../preview/index.js';
import { changeOf, type AnnouncedMessages } from './announced-messages.js';
import type { Announcer } from './announcer.js';
import type { BackoffPolicy } from './backoff.js';
import type { ConnectionBudget } from './connection-budget.js';
import type { ServerReturnWatch } from './server-return.js';
import { serverOf, syncMailbox, type SyncPreviews, type SyncResult } from './mailbox-sync.js';
import { nextStep } from './next-step.js';
import { BACK_ONLINE, reasonText, SUSPECT, USER_RETRY, type WakeReason } from './wake-reasons.js';

export { SUSPECT, type WakeReason } from './wake-reasons.js';

/** What a watcher needs from its supervisor. */
export interface WatcherDeps {
  store: StateStore;
  /** Asked before every connect: what to log in with (password or OAuth2 access token). */
  credentials: CredentialSource;
  announcer: Announcer;
  clock: Clock;
  random: () => number;
  logger: Logger;
  backoff: BackoffPolicy;
  onStatus: StatusListener;
  /** False while the machine has no network at all; no retry loop runs then. */
  isOnline: () => boolean;
  /** Limits how many watchers of one server connect at the same time. */
  connectGate: ConnectGate;
  /**
   * The account's connection budget: one slot is held from connect until the socket closes.
   * The supervisor always gives one; without it the account has no limit.
   */
  connectionBudget?: ConnectionBudget;
  /** The server refused a connection for the user's limit: the supervisor plans within less. */
  onTooManyConnections?: () => void;
  /**
   * Knocks at the server during a backoff wait, shared by its watchers: a server that did
   * not greet and then does ends the wait at once. Without it, backoff alone decides.
   */
  serverReturn?: ServerReturnWatch;
  /**
   * Mail came to a mailbox of the account (an IDLE watcher woke for it): the account is
   * active, so its polled mailboxes are looked at soon rather than at the next poll.
   */
  onAccountActivity?: () => void;
  /**
   * The messages announced since the start that are still new, and where to say that one
   * became \Seen or left its mailbox (issue 24). Without them nothing is followed.
   */
  announced?: AnnouncedMessages;
  onMessageChange?: (change: MessageChange) => void;
  /**
   * Where the account's mailbox list is wanted (which popup buttons it can offer, issue 24):
   * `claim` says whether this connection should LIST now, `note` takes what it gave, `failed`
   * gives the claim back. Without it nothing is listed for it.
   */
  mailboxList?: {
    claim(): boolean;
    note(listed: readonly ListedMailbox[]): void;
    failed(): void;
  };
  /** Whether a sync fetches its new messages' previews; without it none is fetched. */
  previews?: PreviewGate;
  /** Connections opened before the engine started (`tidings watch`), taken by the first. */
  early?: EarlyConnections;
}

/** How long LOGOUT may take when stopping before the socket is simply dropped. */
export const LOGOUT_GRACE_MS = 2_000;
/**
 * After resume or a network change a live connection answers within a round trip: probe
 * with at most this. A false alarm on a slow link only costs a reconnect.
 */
export const TRIGGER_PROBE_MS = 1_000;
/** A status detail's length limit: an error (≤ 300 of the server's words) plus our context. */
const MAX_DETAIL_LENGTH = 600;
/** A connection idle this long counts as healthy: the next failure retries from the start. */
const HEALTHY_AFTER_MS = 60_000;
/** One watched connection of one account, until stopped. */
export abstract class ConnectionWatcher {
  protected state: WatcherState = 'stopped';
  protected detail = '';
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  protected session: ImapSession | undefined;
  protected readonly pending = new Set<WakeReason>();
  private waiting: AbortController | undefined;
  private attempt = 0;
  private retryAtOnce = false;
  protected healthySince: number | undefined;
  protected asleep = false;
  // Set when the server ended the session for an expired token: the next login refreshes.
  private refreshCredentials = false;
  // One immediate reconnect per healthy stretch for an expired token, so a server that
  // refuses every fresh token too falls back to backoff instead of a tight loop.
  private expiryReconnected = false;
  // Gives back the budget slot of the current connection; set from connect until it closes.
  private releaseSlot: (() => void) | undefined;
  // The latest untagged [ALERT] of this connection (RFC 3501 §7.1: shown to the user).
  private alert: string | undefined;

  /** Where this watcher's cursors are read and written: `deps.store`, unless a subclass watches its writes. */
  protected store: StateStore;

  constructor(
    readonly account: AccountSettings,
    protected readonly liveness: LivenessSettings,
    protected readonly deps: WatcherDeps,
  ) {
    this.store = deps.store;
  }

  /** What one connection does, from connect to LOGOUT; throws when the connection fails. */
  protected abstract watchOnce(): Promise<void>;
  /** Tells the supervisor about a state change (`state` and `detail` are already set). */
  protected abstract publish(): void;
  /** Names the watcher in logs. */
  protected abstract label(): string;
  /** The detail of the idle state ("watching, 3 unread"), before any server alert. */
  protected abstract idleDetail(): string;

  /** The idle detail with the connection's latest server alert, if any. */
  protected idleText(): string {
    return `${this.idleDetail()}${this.alertSuffix()}`;
  }

  /** "; server alert: …" while the connection has had an ALERT, else nothing. */
  protected alertSuffix(): string {
    return this.alert ? `; server alert: ${this.alert}` : '';
  }

  /** Starts the watch loop; a started watcher runs until `stop()`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the current wait at once for `reason`; the watcher then resyncs. */
  wake(reason: WakeReason): void {
    // Asleep from suspend until the machine or the user says otherwise.
    if (reason === 'suspend') this.asleep = true;
    else if (BACK_ONLINE.has(reason)) this.asleep = false;
    if (SUSPECT.has(reason) || reason === 'retry') {
      this.attempt = 0;
      this.retryAtOnce = true;
    }
    this.pending.add(reason);
    this.waiting?.abort(reason);
  }

  /** Says LOGOUT (or drops a hung connection) and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake('stop');
    if (!this.loop) return;
    const ended = await Promise.race([
      this.loop.then(() => true),
      sleep(this.deps.clock, LOGOUT_GRACE_MS).then(() => false),
    ]);
    if (!ended) this.session?.destroy(new TidingsError('network', 'stopped'));
    await this.loop;
  }

  /** Ends the loop from inside it (its work was handed to others); `stop()` still works. */
  protected retire(): void {
    this.stopping.abort();
  }

  protected get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.asleep) {
        // Going to sleep: no connection and no retries until resume, a network change or
        // the user; the wake-up resyncs from persisted state like any reconnect.
        this.setState('offline', 'system asleep');
        await this.waitFor(BACK_ONLINE);
        continue;
      }
      try {
        await this.watchOnce();
        this.giveBackSlot();
      } catch (error) {
        this.session?.destroy();
        this.session = undefined;
        this.giveBackSlot();
        if (this.stopped) break;
        await this.recover(classifyError(error));
      }
    }
    this.setState('stopped', 'stopped');
  }

  /**
   * Takes a budget slot, asks for credentials, then connects and logs in inside the server's
   * gate; `insideGate` (a SELECT, say) runs before the gate is given back.
   */
  protected async connect<T>(
    insideGate: (session: ImapSession) => Promise<T>,
  ): Promise<{ session: ImapSession; value: T }> {
    const { account } = this;
    const forceRefresh = this.refreshCredentials;
    this.refreshCredentials = false;
    await this.takeSlot();
    // Asked outside the gate: a token refresh may take a while and needs no IMAP slot.
    const credentials = await this.deps.credentials.getCredentials(account.id, { forceRefresh });
    const release = await this.deps.connectGate.acquire();
    this.setState('connecting', `${account.host}:${resolvePort(account)}`);
    this.alert = undefined;
    try {
      const session = await openSignedIn(
        { credentials: this.deps.credentials, account: account.id },
        credentials,
        (fresh) => this.openSession(fresh),
      );
      this.session = session;
      session.onAlert((text) => {
        this.alert = text || undefined;
        if (this.state === 'idle') this.setState('idle', this.idleText());
      });
      this.setState('syncing', 'connected');
      return { session, value: await insideGate(session) };
    } finally {
      release();
    }
  }

  /**
   * Lists the account's mailboxes where the supervisor asks (once per account: which popup
   * buttons it can offer). Called after the first sync, so no announcement waits for it. A
   * refusal is logged and the claim given back; a failed connection fails the watcher as
   * any command does.
   */
  protected async listForSupervisor(session: ImapSession): Promise<void> {
    const wanted = this.deps.mailboxList;
    if (!wanted?.claim()) return;
    try {
      wanted.note((await session.listAll()).listed);
    } catch (error) {
      wanted.failed();
      if (!session.usable) throw error;
      this.deps.logger.warn(
        `${this.account.id}: cannot list the mailboxes (Delete and Archive are not offered): ` +
          classifyError(error).message,
      );
    }
  }

  /** Says LOGOUT at the end of a connection's life. */
  protected async logout(session: ImapSession): Promise<void> {
    await session.logout(LOGOUT_GRACE_MS);
    this.session = undefined;
  }

  /** Takes the wake reasons that ask for a resync (not stop or suspend), clearing them all. */
  protected takeReasons(): WakeReason[] {
    const reasons = [...this.pending].filter((reason) => reason !== 'stop' && reason !== 'suspend');
    this.pending.clear();
    return reasons;
  }

  /** Drops the triggers that came while connecting: the first sync answers them. */
  protected answeredByFirstSync(): void {
    for (const reason of this.pending) if (reason !== 'stop') this.pending.delete(reason);
  }

  /** The detail of a resync for `reasons`. */
  protected describeReasons(reasons: readonly WakeReason[]): string {
    return reasons.map((reason) => reasonText[reason]).join(', ');
  }

  /**
   * Syncs `mailbox`, selected through `session`, from its cursor; logs a baseline. With
   * `follow` (news that may be about mail announced already), asks after that mail too.
   */
  protected async syncSelected(
    session: ImapSession,
    selected: SelectedMailbox,
    mailbox: string,
    follow = false,
  ): Promise<SyncResult> {
    const { account } = this;
    const result = await syncMailbox(
      session,
      selected,
      account.id,
      mailbox,
      this.store,
      this.deps.announcer,
      serverOf(account),
      this.previewsOf(mailbox),
    );
    if (result.baseline) this.noteBaseline(mailbox, result.baseline);
    if (follow) await this.followAnnounced(session, mailbox, selected.uidValidity);
    // With --verbose, the next loss (if any) explains itself: where the mark was, what the
    // search found above it, where the mark went.
    this.deps.logger.debug(
      `${account.id}/${mailbox}: synced: mark ${result.markBefore} → ${result.markAfter}, ` +
        `${result.found} UID(s) above it, ${result.announced} announced, ` +
        `UIDNEXT ${selected.uidNext}`,
    );
    return result;
  }

  /** The preview gate's answers for `mailbox` of this account, if previews are wired. */
  private previewsOf(mailbox: string): SyncPreviews | undefined {
    const gate = this.deps.previews;
    if (!gate) return undefined;
    const account = this.account.id;
    return {
      admit: (found) => gate.admit(account, mailbox, found),
      failed: () => gate.failed(account, mailbox),
    };
  }

  /** True while some message announced since the start is followed in `mailbox`. */
  protected followsIn(mailbox: string): boolean {
    return this.deps.announced?.has(this.account.id, mailbox) ?? false;
  }

  /**
   * After a sync of `mailbox` (selected): which of the messages announced since the start
   * became \Seen or left it, by one UID FETCH of their FLAGS; each is said once and no
   * longer followed. One announced under another UIDVALIDITY is dropped unsaid: its UID
   * names nothing now.
   */
  private async followAnnounced(
    session: ImapSession,
    mailbox: string,
    uidValidity: number,
  ): Promise<void> {
    const { announced, onMessageChange } = this.deps;
    const followed = announced?.in(this.account.id, mailbox) ?? [];
    if (!announced || followed.length === 0) return;
    const stale = followed.filter((message) => message.uidValidity !== uidValidity);
    announced.drop(this.account.id, mailbox, stale);
    const current = followed.filter((message) => message.uidValidity === uidValidity);
    if (current.length === 0) return;
    const flags = await flagsOf(
      session,
      current.map((message) => message.uid),
    );
    for (const message of current) {
      const change = changeOf(this.account.id, mailbox, message, flags.get(message.uid));
      if (!change) continue;
      announced.drop(this.account.id, mailbox, [message]);
      onMessageChange?.(change);
    }
  }

  /** Logs that `mailbox` (re)baselined, and why. */
  protected noteBaseline(mailbox: string, baseline: NonNullable<SyncResult['baseline']>): void {
    this.deps.logger.info(`${this.account.id}/${mailbox}: ${describeBaseline(baseline)}`);
  }

  /**
   * Waits for a wake reason, `ms` (then resolves with `timeout`), or `ended` (a server ending
   * IDLE on its own); a closed connection throws.
   */
  protected async waitOn<T extends string>(
    session: ImapSession,
    ms: number,
    timeout: T,
    ended?: { promise: Promise<unknown>; reason: T },
  ): Promise<WakeReason | T> {
    const controller = new AbortController();
    this.waiting = controller;
    const cancelTimer = this.deps.clock.setTimeout(() => controller.abort(timeout), ms);
    if (ended) void ended.promise.then(() => controller.abort(ended.reason));
    try {
      // A wake that came between the caller's last look at `pending` and now counts too.
      if (this.pending.size > 0) controller.abort([...this.pending][0]);
      return await session.raceClose(
        new Promise<WakeReason | T>((resolve) => {
          const done = () => resolve(controller.signal.reason as WakeReason | T);
          if (controller.signal.aborted) done();
          else controller.signal.addEventListener('abort', done);
        }),
      );
    } finally {
      cancelTimer();
      this.waiting = undefined;
    }
  }

  /** Marks the connection healthy from now (see `recover`). */
  protected markHealthy(): void {
    this.healthySince = this.deps.clock.now();
  }

  /** The deadline for proving a connection alive after the wait ended with `end`. */
  protected probeDeadline(end: string): number {
    const deadline = this.liveness.commandTimeoutSeconds * 1000;
    return SUSPECT.has(end as WakeReason) ? Math.min(TRIGGER_PROBE_MS, deadline) : deadline;
  }

  /** Waits for a slot in the account's budget (never connects beyond it); stop aborts. */
  private async takeSlot(): Promise<void> {
    const budget = this.deps.connectionBudget;
    if (!budget) return;
    if (budget.full) {
      const { limit, source } = budget.limit;
      this.setState(
        'connecting',
        `waiting for a free connection: this account may use ${limit} at once (${source})`,
      );
    }
    this.releaseSlot = await budget.acquire(this.stopping.signal);
  }

  private giveBackSlot(): void {
    this.releaseSlot?.();
    this.releaseSlot = undefined;
  }

  private openSession(credentials: Credentials): Promise<ImapSession> {
    const { account, liveness } = this;
    const options = accountSessionOptions(account, credentials, {
      commandTimeoutMs: liveness.commandTimeoutSeconds * 1000,
      socketTimeoutMs: 2 * (liveness.heartbeatSeconds + liveness.commandTimeoutSeconds) * 1000,
      clock: this.deps.clock,
      logger: this.deps.logger,
      label: this.label(),
      early: this.deps.early,
    });
    return ImapSession.open(options, this.stopping.signal);
  }

  /** The one path from a failure to the next state. */
  private async recover(error: TidingsError): Promise<void> {
    const since = this.healthySince;
    if (since !== undefined && this.deps.clock.now() - since >= HEALTHY_AFTER_MS) {
      this.attempt = 0;
      this.expiryReconnected = false;
    }
    this.healthySince = undefined;
    this.deps.logger.debug(`${this.label()}: ${error.code} error: ${error.message}`);
    if (error.code === 'auth') this.deps.credentials.rejected?.(this.account.id);
    if (error.tooManyConnections) this.deps.onTooManyConnections?.();
    const step = nextStep(
      error,
      {
        attempt: this.attempt,
        online: this.deps.isOnline(),
        loopback: isLoopbackHost(this.account.host),
        retryAtOnce: this.retryAtOnce,
        expiryReconnected: this.expiryReconnected,
      },
      this.deps.backoff,
      this.deps.random,
    );
    this.setState(step.state, step.detail);
    switch (step.kind) {
      case 'sign-in-again':
        this.expiryReconnected = true;
        this.refreshCredentials = true;
        return;
      case 'wait-for-user':
        await this.waitFor(USER_RETRY);
        this.attempt = 0;
        return;
      case 'wait-for-network':
        await this.waitFor(BACK_ONLINE);
        return;
      case 'retry':
        if (!this.retryAtOnce) this.attempt++;
        this.retryAtOnce = false;
        await this.waitForRetry(step.delayMs);
    }
  }

  /**
   * Waits out a backoff delay, cut short when the server, silent when the wait began,
   * greets again (server-return.ts): one login attempt then, the backoff's next step.
   */
  private async waitForRetry(delayMs: number): Promise<void> {
    const watch = this.deps.serverReturn;
    if (!watch || delayMs === 0) return this.waitFor(undefined, delayMs);
    const knocking = new AbortController();
    void watch.untilGreeted(knocking.signal).then((found) => {
      if (found === 'back' && !knocking.signal.aborted) this.wake('server-back');
    });
    try {
      await this.waitFor(undefined, delayMs);
    } finally {
      knocking.abort();
    }
  }

  /** Waits until woken for one of `reasons` (any reason if undefined), or for `ms`. */
  private async waitFor(reasons: ReadonlySet<WakeReason> | undefined, ms?: number): Promise<void> {
    for (;;) {
      const hit = [...this.pending].some((reason) => !reasons || reasons.has(reason));
      this.pending.clear();
      if (hit || this.stopped) return;
      const controller = new AbortController();
      this.waiting = controller;
      const timedOut = await (ms === undefined
        ? new Promise<boolean>((resolve) =>
            controller.signal.addEventListener('abort', () => resolve(false)),
          )
        : sleep(this.deps.clock, ms, controller.signal).then(() => !controller.signal.aborted));
      this.waiting = undefined;
      if (timedOut) return;
    }
  }

  protected setState(state: WatcherState, raw: string): void {
    // Errors are sanitized where they are made; this is the backstop for the tray and --json.
    const detail = sanitizeServerText(raw, MAX_DETAIL_LENGTH);
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    this.publish();
  }
}

function describeBaseline(baseline: NonNullable<SyncResult['baseline']>): string {
  if (baseline === 'first-watch') return 'first watch: existing mail is taken as read';
  if (baseline === 'server-changed') {
    return 'the account points at another server or user now: re-baselined, old mail not announced';
  }
  return 'UIDVALIDITY changed (mailbox recreated): re-baselined, old mail not announced';
}
