/**
 * The supervisor owns one watcher per (account, mailbox), applies settings changes without
 * a restart (only the watchers whose account changed are replaced), fans out triggers and
 * system events, and keeps the latest status of every watcher for the tray and `--json`.
 */
import type { WatcherStatus } from '../../common/account-status.js';
import { resolvePort, type AccountSettings, type Settings } from '../../common/settings-schema.js';
import { Announcer } from './announcer.js';
import { ConnectGates } from './connect-gate.js';
import { ConnectionBudget, connectionLimitFor } from './connection-budget.js';
import { backoffFor, type BackoffPolicy } from './backoff.js';
import { passwordCredentials, type CredentialSource } from './credentials.js';
import { MailboxWatcher, type WakeReason } from './mailbox-watcher.js';
import {
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type Notifier,
  type SecretSource,
  type StateStore,
  type StatusListener,
  type SystemEvents,
} from './ports.js';

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
}

/** Connection attempts in flight at once per server (a restart must not become a herd). */
const CONNECTS_PER_SERVER = 4;

/** Runs the engine for a settings document. */
export class Supervisor {
  private settings: Settings;
  private readonly watchers = new Map<string, MailboxWatcher>();
  private readonly statuses = new Map<string, WatcherStatus>();
  private readonly listeners = new Set<StatusListener>();
  private readonly announcer: Announcer;
  private readonly connectGates = new ConnectGates(CONNECTS_PER_SERVER);
  // One budget per account id, resized when its limit changes, dropped with the account.
  private readonly budgets = new Map<string, ConnectionBudget>();
  private unsubscribeSystem: (() => void) | undefined;
  private readonly credentials: CredentialSource;

  constructor(private readonly options: SupervisorOptions) {
    this.settings = options.settings;
    if (options.credentials) this.credentials = options.credentials;
    else if (options.secrets) this.credentials = passwordCredentials(options.secrets);
    else throw new Error('Supervisor: give `credentials` or `secrets`');
    this.announcer = new Announcer(options.store, options.notifier, options.clock ?? systemClock);
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
    const stale = [...this.watchers.entries()].filter(([, watcher]) => {
      const account = next.get(watcher.account.id);
      return (
        livenessChanged ||
        !account ||
        !account.mailboxes.includes(watcher.mailbox) ||
        !sameConnection(account, watcher.account)
      );
    });
    await Promise.all(stale.map(([key, watcher]) => this.stopWatcher(key, watcher)));
    this.settings = settings;
    for (const id of this.budgets.keys()) if (!next.has(id)) this.budgets.delete(id);
    // Stopped watchers have given their slots back; a new limit lets waiters in before any
    // new watcher of the account queues.
    for (const account of settings.accounts)
      this.budgets.get(account.id)?.resize(connectionLimitFor(account));
    for (const account of settings.accounts) this.startAccount(account);
  }

  /** "Refresh now": every watcher leaves IDLE, resyncs and idles again. */
  refresh(): void {
    this.wakeAll('refresh');
  }

  /** Retries the watchers stopped by an auth or TLS failure (all, or one account's). */
  retry(accountId?: string): void {
    for (const watcher of this.watchers.values()) {
      if (!accountId || watcher.account.id === accountId) watcher.wake('retry');
    }
  }

  /** Wakes every watcher for `reason`. */
  wakeAll(reason: WakeReason): void {
    for (const watcher of this.watchers.values()) watcher.wake(reason);
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest status of every watcher. */
  getStatuses(): WatcherStatus[] {
    return [...this.statuses.values()];
  }

  /** Stops every watcher (LOGOUT, or drop a hung connection) and system event listening. */
  async stop(): Promise<void> {
    this.unsubscribeSystem?.();
    this.unsubscribeSystem = undefined;
    await Promise.all([...this.watchers].map(([key, watcher]) => this.stopWatcher(key, watcher)));
  }

  private startAccount(account: AccountSettings): void {
    let budget = this.budgets.get(account.id);
    if (!budget) {
      budget = new ConnectionBudget(connectionLimitFor(account));
      this.budgets.set(account.id, budget);
    }
    for (const mailbox of account.mailboxes) {
      const key = watcherKey(account.id, mailbox);
      if (this.watchers.has(key)) continue;
      const watcher = new MailboxWatcher(account, mailbox, this.settings.liveness, {
        store: this.options.store,
        credentials: this.credentials,
        announcer: this.announcer,
        clock: this.options.clock ?? systemClock,
        random: this.options.random ?? Math.random,
        logger: this.options.logger ?? silentLogger,
        backoff: this.options.backoff ?? backoffFor(this.settings.liveness),
        onStatus: (status) => this.publish(key, status),
        isOnline: () => this.options.systemEvents?.isOnline() ?? true,
        connectGate: this.connectGates.for(account.host, resolvePort(account)),
        connectionBudget: budget,
      });
      this.watchers.set(key, watcher);
      watcher.start();
    }
  }

  private async stopWatcher(key: string, watcher: MailboxWatcher): Promise<void> {
    this.watchers.delete(key);
    await watcher.stop();
    this.statuses.delete(key);
  }

  private publish(key: string, status: WatcherStatus): void {
    this.statuses.set(key, status);
    for (const listener of this.listeners) listener(status);
  }
}

function watcherKey(account: string, mailbox: string): string {
  return `${account}\u0000${mailbox}`;
}

// Everything but the mailbox list, display fields and the connection budget (applied by
// resizing it, without dropping live connections) decides the connection.
function sameConnection(a: AccountSettings, b: AccountSettings): boolean {
  const strip = ({
    mailboxes: _m,
    name: _n,
    openUrl: _o,
    maxConnections: _c,
    ...rest
  }: AccountSettings) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
