/**
 * The supervisor owns one watcher per (account, mailbox), applies settings changes without
 * a restart (only the watchers whose account changed are replaced), fans out triggers and
 * system events, and keeps the latest status of every watcher for the tray and `--json`.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import {
  resolvePort,
  type AccountSettings,
  type Settings,
} from '../../../common/settings-schema.js';
import {
  ActionOffers,
  listMailboxesOf,
  runActions,
  type ActionOutcome,
  type ActionRunnerDeps,
  type MessageAction,
  type MessageAddress,
} from '../act/index.js';
import { AnnouncedMessages } from './announced-messages.js';
import { Announcer } from './announcer.js';
import {
  ConnectGates,
  createGreetingProbe,
  type EarlyConnections,
  type GreetingProbe,
  type GreetingProbeOptions,
} from '../imap/index.js';
import { PreviewGate } from '../preview/index.js';
import { ServerReturnWatch } from './server-return.js';
import { ConnectionBudget, connectionLimitFor, type ConnectionLimit } from './connection-budget.js';
import { backoffFor, type BackoffPolicy } from './backoff.js';
import { passwordCredentials, type CredentialSource } from '../base/index.js';
import { MailboxSetWatcher } from './status-watcher.js';
import { MailboxWatcher, type WakeReason } from './idle-watcher.js';
import { planIdle } from './watch-plan.js';
import { replacesWatchers, sameConnection } from './settings-diff.js';
import type { WatcherDeps } from './connection-watcher.js';
import {
  classifyError,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type MessageChange,
  type NewMessage,
  type Notifier,
  type SecretSource,
  type StateStore,
  type StatusListener,
  type SystemEvents,
} from '../base/index.js';

/** The supervisor's parts; settings, store, notifier and secrets or credentials are required. */
export interface SupervisorOptions {
  settings: Settings;
  store: StateStore;
  /** Passwords; used when `credentials` is not given. */
  secrets?: SecretSource;
  /** What each account logs in with (passwords, OAuth2 tokens); wins over `secrets`. */
  credentials?: CredentialSource;
  notifier: Notifier;
  systemEvents?: SystemEvents;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  backoff?: BackoffPolicy;
  /**
   * How a server is asked whether it greets during a backoff wait (server-return.ts); the
   * real one connects. `null` turns knocking off: backoff alone decides.
   */
  greetingProbe?: ((server: GreetingProbeOptions) => GreetingProbe) | null;
  /**
   * True where popups have buttons (the app, `tidings watch` with desktop popups): each
   * account's mailboxes are listed once, so `offeredActions` offers Delete and Archive only
   * where they have somewhere to move the message (action-offers.ts).
   */
  popupButtons?: boolean;
  /**
   * TCP connections to the accounts' servers opened before the engine was loaded: `tidings
   * watch` opens them first thing, so the servers' accept and greeting overlap its loading.
   * Each is taken by the first session to its server and port; the rest connect as usual.
   */
  early?: EarlyConnections;
}

/**
 * Connection attempts in flight at once per server and user (a restart must not become a herd
 * of one user; why per user: imap/connect-gate.ts).
 */
const CONNECTS_PER_USER = 4;
/** How long a knock waits for the greeting: a server that is back answers within a round trip. */
const KNOCK_TIMEOUT_MS = 2_000;
/** Seconds between STATUS polls of mailboxes that neither NOTIFY nor IDLE can push. */
const DEFAULT_POLL_SECONDS = 60;

/** Runs the engine for a settings document. */
export class Supervisor {
  private settings: Settings;
  // IDLE watchers by (account, mailbox); NOTIFY or polling watchers by account.
  private readonly watchers = new Map<string, MailboxWatcher>();
  private readonly setWatchers = new Map<string, MailboxSetWatcher>();
  private readonly statuses = new Map<string, WatcherStatus>();
  private readonly listeners = new Set<StatusListener>();
  private readonly announcer: Announcer;
  // Whether syncs fetch previews: the preference in force, and the storms it is skipped in.
  private readonly previews: PreviewGate;
  // The mail announced since the start while it is still new, and who hears when it is not.
  private readonly announced = new AnnouncedMessages();
  private readonly changeListeners = new Set<(change: MessageChange) => void>();
  // What each account's LIST showed, for the popup buttons that move a message.
  private readonly offers = new ActionOffers();
  private readonly connectGates = new ConnectGates(CONNECTS_PER_USER);
  // One knocking watch per server (host, port, TLS), shared by every watcher that waits on it.
  private readonly serverReturns = new Map<string, ServerReturnWatch>();
  // One budget per account id, resized when its limit changes, dropped with the account.
  private readonly budgets = new Map<string, ConnectionBudget>();
  // Limits learned from servers that refused one more connection ("Maximum number of
  // connections"), below what the settings or the preset say; kept until the account's
  // connection settings change.
  private readonly learnedLimits = new Map<string, number>();
  private unsubscribeSystem: (() => void) | undefined;
  private stopping = false;
  private readonly credentials: CredentialSource;

  constructor(private readonly options: SupervisorOptions) {
    this.settings = options.settings;
    if (options.credentials) this.credentials = options.credentials;
    else if (options.secrets) this.credentials = passwordCredentials(options.secrets);
    else throw new Error('Supervisor: give `credentials` or `secrets`');
    // Every announcement is followed until it is read or gone, then goes on to the notifier.
    const notifier: Notifier = {
      notify: (announcement) => {
        this.announced.add(announcement.message);
        options.notifier.notify(announcement);
      },
    };
    this.announcer = new Announcer(options.store, notifier, options.clock ?? systemClock);
    this.previews = new PreviewGate(
      options.clock ?? systemClock,
      () => this.settings.notifications,
    );
  }

  /** Starts a watcher for every configured mailbox and listens to system events. */
  start(): void {
    this.unsubscribeSystem ??= this.options.systemEvents?.onEvent((kind, detail) => {
      this.options.logger?.info(`system event: ${kind} (${detail})`);
      this.wakeAll(kind);
    });
    for (const account of this.settings.accounts) this.startAccount(account);
  }

  /** Applies new settings: replaces the watchers of changed accounts, keeps the rest running. */
  async applySettings(settings: Settings): Promise<void> {
    const livenessChanged =
      JSON.stringify(settings.liveness) !== JSON.stringify(this.settings.liveness);
    const next = new Map(settings.accounts.map((account) => [account.id, account]));
    const replaced = (old: AccountSettings): boolean => {
      const set = this.setWatchers.get(old.id);
      return replacesWatchers(old, next.get(old.id), {
        livenessChanged,
        fellBack: set !== undefined && (set.handedOver || set.mode === 'poll'),
        limitOf: (account) => this.limitFor(account).limit,
      });
    };
    const staleSets = [...this.setWatchers.entries()].filter(([, w]) => replaced(w.account));
    const staleIdle = [...this.watchers.entries()].filter(([, watcher]) => {
      const account = next.get(watcher.account.id);
      return (
        replaced(watcher.account) ||
        // IDLE accounts keep the watchers of mailboxes still watched.
        (account !== undefined && !account.mailboxes.includes(watcher.mailbox))
      );
    });
    await Promise.all([
      ...staleSets.map(([id, watcher]) => this.stopSetWatcher(id, watcher)),
      ...staleIdle.map(([key, watcher]) => this.stopWatcher(key, watcher)),
    ]);
    for (const old of this.settings.accounts) {
      const account = next.get(old.id);
      if (!account || !sameConnection(account, old)) {
        this.learnedLimits.delete(old.id);
        this.offers.forget(old.id);
      }
    }
    this.settings = settings;
    for (const id of this.budgets.keys()) if (!next.has(id)) this.budgets.delete(id);
    // Stopped watchers have given their slots back; a new limit lets waiters in before any
    // new watcher of the account queues.
    for (const account of settings.accounts)
      this.budgets.get(account.id)?.resize(this.limitFor(account));
    for (const account of settings.accounts) this.startAccount(account);
    // An account kept running that now asks for Delete or Archive (its popupActions, its
    // popups turned on) is listed now: its watchers list only after a connection's first sync.
    const restarted = new Set([...staleSets, ...staleIdle].map(([, w]) => w.account.id));
    for (const account of settings.accounts) {
      if (!restarted.has(account.id)) this.listInBackground(account);
    }
  }

  /**
   * Lists `account`'s mailboxes on a borrowed connection, for the popup buttons, where popups
   * have buttons and no LIST of it is known or under way; a failure is logged, and the next
   * connection of the account asks again.
   */
  private listInBackground(account: AccountSettings): void {
    if (!this.options.popupButtons || !this.offers.claimList(account)) return;
    listMailboxesOf(this.actionDeps(), account).then(
      (listed) => this.offers.note(account.id, listed),
      (error: unknown) => {
        this.offers.failed(account.id);
        (this.options.logger ?? silentLogger).warn(
          `${account.id}: cannot list the mailboxes (Delete and Archive are not offered): ` +
            classifyError(error).message,
        );
      },
    );
  }

  /** "Refresh now": every watcher leaves IDLE, resyncs and idles again. */
  refresh(): void {
    this.wakeAll('refresh');
  }

  /** Retries the watchers stopped by an auth or TLS failure (all, or one account's). */
  retry(accountId?: string): void {
    for (const watcher of this.allWatchers()) {
      if (!accountId || watcher.account.id === accountId) watcher.wake('retry');
    }
  }

  /** Wakes every watcher for `reason`. */
  wakeAll(reason: WakeReason): void {
    for (const watcher of this.allWatchers()) watcher.wake(reason);
  }

  /**
   * Takes one connection of `accountId`'s budget for a connection outside the watchers (the
   * settings window's Test connection and mailbox list): resolves with the function that gives
   * it back, at once for an account the engine does not watch (yet). Waits while the budget is
   * full; `signal` gives up.
   */
  async borrowConnection(accountId: string, signal?: AbortSignal): Promise<() => void> {
    const budget = this.budgets.get(accountId);
    if (!budget) return () => {};
    return budget.acquire(signal);
  }

  /**
   * A popup's action on one message (issue 24): on a connection borrowed from the account's
   * budget, never one a watcher waits on. Refused with the reason once stopping began, for an
   * account no longer configured, and whatever the action itself refuses; never thrown.
   */
  async act(
    accountId: string,
    address: MessageAddress,
    action: MessageAction,
  ): Promise<ActionOutcome> {
    const [outcome] = await this.actOnEach(accountId, [address], action);
    return outcome ?? { done: false, reason: 'nothing was done' };
  }

  /** `act` on several messages of one account, on one borrowed connection, in order. */
  async actOnEach(
    accountId: string,
    addresses: readonly MessageAddress[],
    action: MessageAction,
  ): Promise<ActionOutcome[]> {
    const refused = (reason: string) => addresses.map(() => ({ done: false, reason }) as const);
    if (this.stopping) return refused('Tidings is quitting');
    const account = this.settings.accounts.find((a) => a.id === accountId);
    if (!account) return refused(`no account "${accountId}" any more`);
    return runActions(this.actionDeps(), account, addresses, action);
  }

  /**
   * `actOnEach` for a popup's messages (one account and mailbox, as a popup counts them): the
   * composition roots' popup buttons.
   */
  actOnMessages(
    messages: ReadonlyArray<Pick<NewMessage, 'account' | 'mailbox' | 'uidValidity' | 'uid'>>,
    action: MessageAction,
  ): Promise<ActionOutcome[]> {
    return this.actOnEach(
      messages[0]?.account ?? '',
      messages.map(({ mailbox, uidValidity, uid }) => ({ mailbox, uidValidity, uid })),
      action,
    );
  }

  /** What an action, or a LIST for the buttons, runs with: a connection borrowed from the budget. */
  private actionDeps(): ActionRunnerDeps {
    return {
      credentials: this.credentials,
      borrow: (id: string, signal: AbortSignal) => this.borrowConnection(id, signal),
      commandTimeoutMs: this.settings.liveness.commandTimeoutSeconds * 1000,
      clock: this.options.clock ?? systemClock,
      logger: this.options.logger ?? silentLogger,
    };
  }

  /**
   * The buttons a single-message popup of `accountId` offers: its `popupActions` (or Mark as
   * read and Delete), less Delete and Archive where its mailboxes, as listed, have no Trash or
   * Archive, or are not listed yet. None for an account no longer configured.
   */
  offeredActions(accountId: string): MessageAction[] {
    const account = this.settings.accounts.find((a) => a.id === accountId);
    return account ? this.offers.offered(account) : [];
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Subscribes to `read` and `gone` of the mail announced since the start (issue 24): a
   * message that became \Seen or left its mailbox, on any device; returns the unsubscribe.
   */
  onMessageChange(listener: (change: MessageChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The latest status of every watcher. */
  getStatuses(): WatcherStatus[] {
    return [...this.statuses.values()];
  }

  /** Stops every watcher (LOGOUT, or drop a hung connection) and system event listening. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribeSystem?.();
    this.unsubscribeSystem = undefined;
    await Promise.all([
      ...[...this.setWatchers].map(([id, watcher]) => this.stopSetWatcher(id, watcher)),
      ...[...this.watchers].map(([key, watcher]) => this.stopWatcher(key, watcher)),
    ]);
    this.options.store.flush?.();
  }

  /**
   * Starts what watches `account` and is not running yet: one NOTIFY connection (`auto` and
   * `notify`), or for `idle` IDLE per mailbox and a poller for those beyond the budget.
   */
  private startAccount(account: AccountSettings): void {
    if (!this.budgets.has(account.id)) {
      this.budgets.set(account.id, new ConnectionBudget(this.limitFor(account)));
    }
    const mode = account.watchMode ?? 'auto';
    if (mode === 'idle' && account.allMailboxes) {
      // "all" with IDLE: INBOX pushed, every other folder polled (and listed at each poll).
      this.startIdle(account, 'INBOX');
      if (!this.setWatchers.has(account.id)) this.startSet(account, [], 'poll', ['INBOX']);
      return;
    }
    if (mode === 'idle') {
      const plan = planIdle(account.mailboxes, this.limitFor(account).limit);
      for (const mailbox of plan.idle) this.startIdle(account, mailbox);
      if (plan.poll.length > 0 && !this.setWatchers.has(account.id)) {
        this.startSet(account, plan.poll, 'poll');
      }
      return;
    }
    const set = this.setWatchers.get(account.id);
    if (set?.handedOver || (set && set.mode === 'poll')) {
      // `auto` on a server without NOTIFY: the fallback plan's IDLE watchers, kept complete.
      const plan = planIdle(account.mailboxes, this.limitFor(account).limit);
      for (const mailbox of plan.idle) this.startIdle(account, mailbox);
      return;
    }
    if (!set) this.startSet(account, account.mailboxes, mode);
  }

  private startSet(
    account: AccountSettings,
    mailboxes: readonly string[],
    mode: 'auto' | 'notify' | 'poll',
    idledElsewhere: readonly string[] = [],
  ): void {
    const watcher = new MailboxSetWatcher(
      account,
      mailboxes,
      this.settings.liveness,
      this.watcherDeps(account, (status) =>
        this.publish(watcherKey(account.id, status.mailbox), status),
      ),
      {
        mode,
        pollSeconds: account.pollSeconds ?? DEFAULT_POLL_SECONDS,
        idledElsewhere,
        // Without NOTIFY: IDLE where the budget allows, this connection polls the rest. Under
        // "all" only INBOX is pushed: the set changes as folders come and go.
        onNoNotify: (candidates) => {
          const current = this.settings.accounts.find((a) => a.id === account.id) ?? account;
          if (current.allMailboxes) {
            const inbox = candidates.filter((mailbox) => mailbox.toUpperCase() === 'INBOX');
            for (const mailbox of inbox) this.startIdle(current, mailbox);
            return candidates.filter((mailbox) => !inbox.includes(mailbox));
          }
          const plan = planIdle(current.mailboxes, this.limitFor(current).limit);
          for (const mailbox of plan.idle) this.startIdle(current, mailbox);
          return plan.poll;
        },
        // Under "all", a folder that went takes its status line with it.
        onWatchedChange: (watched) => this.forgetUnwatched(account.id, watched),
      },
    );
    this.setWatchers.set(account.id, watcher);
    watcher.start();
  }

  /** Drops the status lines of `accountId`'s set-watched mailboxes no longer in `watched`. */
  private forgetUnwatched(accountId: string, watched: readonly string[]): void {
    for (const [key, status] of this.statuses) {
      if (status.account !== accountId || watched.includes(status.mailbox)) continue;
      if (this.watchers.has(key)) continue;
      this.statuses.delete(key);
    }
  }

  private startIdle(account: AccountSettings, mailbox: string): void {
    const key = watcherKey(account.id, mailbox);
    if (this.watchers.has(key)) return;
    const watcher = new MailboxWatcher(
      account,
      mailbox,
      this.settings.liveness,
      this.watcherDeps(account, (status) => this.publish(key, status)),
    );
    this.watchers.set(key, watcher);
    watcher.start();
  }

  /** The account's limit: its settings' or preset's, or less where the server said so. */
  private limitFor(account: AccountSettings): ConnectionLimit {
    const configured = connectionLimitFor(account);
    const learned = this.learnedLimits.get(account.id);
    if (learned === undefined || learned >= configured.limit) return configured;
    return { limit: learned, source: 'the most the server accepted' };
  }

  /**
   * A watcher of `accountId` was refused for the server's connection limit: the limit is
   * what the account holds now (the refused one has given its slot back). Where that changes
   * the IDLE plan, the account is planned anew within it, so the mailboxes that had no room
   * are polled instead of retrying a refused login forever.
   */
  private learnConnectionLimit(accountId: string): void {
    const account = this.settings.accounts.find((a) => a.id === accountId);
    const budget = this.budgets.get(accountId);
    if (!account || !budget) return;
    // Refused while holding nothing else: other clients fill the server's count, and there
    // is no smaller plan than one connection to learn.
    const held = budget.inUse;
    if (held === 0) return;
    const before = this.limitFor(account).limit;
    if (held >= before) return;
    this.learnedLimits.set(accountId, held);
    this.options.logger?.info(
      `${accountId}: the server refused a connection beyond ${held}: watching within ${held} from now on`,
    );
    budget.resize(this.limitFor(account));
    const mode = account.watchMode ?? 'auto';
    const set = this.setWatchers.get(accountId);
    const usesIdle = mode === 'idle' || set?.handedOver === true || set?.mode === 'poll';
    const unchanged =
      planIdle(account.mailboxes, before).poll.join('\u0000') ===
      planIdle(account.mailboxes, held).poll.join('\u0000');
    if (!usesIdle || unchanged) return;
    // Not from inside the refused watcher's own recovery: its stop waits for its loop.
    setImmediate(() => void this.replan(accountId));
  }

  /** Stops every watcher of the account and starts it again under the limit in force. */
  private async replan(accountId: string): Promise<void> {
    const sets = [...this.setWatchers].filter(([id]) => id === accountId);
    const idle = [...this.watchers].filter(([, w]) => w.account.id === accountId);
    await Promise.all([
      ...sets.map(([id, watcher]) => this.stopSetWatcher(id, watcher)),
      ...idle.map(([key, watcher]) => this.stopWatcher(key, watcher)),
    ]);
    const account = this.settings.accounts.find((a) => a.id === accountId);
    if (account && !this.stopping) this.startAccount(account);
  }

  private watcherDeps(account: AccountSettings, onStatus: StatusListener): WatcherDeps {
    return {
      onTooManyConnections: () => this.learnConnectionLimit(account.id),
      store: this.options.store,
      credentials: this.credentials,
      announcer: this.announcer,
      clock: this.options.clock ?? systemClock,
      random: this.options.random ?? Math.random,
      logger: this.options.logger ?? silentLogger,
      backoff: this.options.backoff ?? backoffFor(this.settings.liveness),
      onStatus,
      isOnline: () => this.options.systemEvents?.isOnline() ?? true,
      connectGate: this.connectGates.for(account.host, resolvePort(account), account.user),
      connectionBudget: this.budgets.get(account.id),
      serverReturn: this.serverReturnFor(account),
      // The account's polled mailboxes (a set watcher in poll mode) are looked at soon.
      onAccountActivity: () => this.setWatchers.get(account.id)?.pollSoon(),
      announced: this.announced,
      previews: this.previews,
      ...(this.options.early ? { early: this.options.early } : {}),
      onMessageChange: (change) => {
        for (const listener of this.changeListeners) listener(change);
      },
      ...(this.options.popupButtons
        ? {
            mailboxList: {
              // The account as configured now: a settings change may have come meanwhile.
              claim: () => {
                const current = this.settings.accounts.find((a) => a.id === account.id);
                return current !== undefined && this.offers.claimList(current);
              },
              note: (listed) => this.offers.note(account.id, listed),
              failed: () => this.offers.failed(account.id),
            },
          }
        : {}),
    };
  }

  private serverReturnFor(account: AccountSettings): ServerReturnWatch | undefined {
    const makeProbe =
      this.options.greetingProbe === undefined ? createGreetingProbe : this.options.greetingProbe;
    if (makeProbe === null) return undefined;
    const server = {
      host: account.host.toLowerCase(),
      port: resolvePort(account),
      tls: account.tls,
      timeoutMs: KNOCK_TIMEOUT_MS,
    };
    const key = `${server.host}:${server.port}:${server.tls}`;
    let watch = this.serverReturns.get(key);
    if (!watch) {
      const clock = this.options.clock ?? systemClock;
      watch = new ServerReturnWatch(makeProbe(server), clock, this.options.random ?? Math.random);
      this.serverReturns.set(key, watch);
    }
    return watch;
  }

  private *allWatchers(): Iterable<MailboxWatcher | MailboxSetWatcher> {
    yield* this.setWatchers.values();
    yield* this.watchers.values();
  }

  private async stopWatcher(key: string, watcher: MailboxWatcher): Promise<void> {
    this.watchers.delete(key);
    await watcher.stop();
    this.statuses.delete(key);
  }

  private async stopSetWatcher(id: string, watcher: MailboxSetWatcher): Promise<void> {
    this.setWatchers.delete(id);
    const mailboxes = [...watcher.mailboxes];
    await watcher.stop();
    for (const mailbox of mailboxes) this.statuses.delete(watcherKey(id, mailbox));
  }

  private publish(key: string, status: WatcherStatus): void {
    this.statuses.set(key, status);
    for (const listener of this.listeners) listener(status);
  }
}

function watcherKey(account: string, mailbox: string): string {
  return `${account}\u0000${mailbox}`;
}
