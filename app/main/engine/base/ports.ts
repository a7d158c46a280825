/**
 * The engine's ports: everything it needs from the world, as small interfaces that the
 * composition roots (`tidings watch`, the Electron main process) and the tests fill.
 */
import type { WatcherStatus } from '../../../common/account-status.js';
import type { Announcement } from './announcement.js';

/** Persisted position of one watched mailbox. */
export interface MailboxCursor {
  uidValidity: number;
  /** Highest UID already accounted for (announced, or skipped as old, seen or deleted). */
  highestUid: number;
  /** Where the account pointed when this was saved ("user@host:port"); absent in old state. */
  server?: string | undefined;
  /**
   * CONDSTORE (RFC 7162): the HIGHESTMODSEQ that SELECT reported before the last full sync,
   * and the unread count that sync found. The same value at the next SELECT means nothing in
   * the mailbox changed: no search is needed.
   */
  highestModseq?: string | undefined;
  unread?: number | undefined;
  /**
   * Set when the UIDVALIDITY was read from an empty mailbox and not yet seen again with mail
   * in it. Courier gives a mailbox nobody has opened read-write a UIDVALIDITY it does not
   * keep: the session that first writes its UID list chooses another. A different UIDVALIDITY
   * for such a mailbox is that one, not a recreated mailbox: the mark stays.
   */
  provisional?: boolean | undefined;
}

/** Where watch state survives restarts. Writes must be atomic. */
export interface StateStore {
  getCursor(account: string, mailbox: string): MailboxCursor | undefined;
  setCursor(account: string, mailbox: string, cursor: MailboxCursor): void;
  /** Message-IDs already announced for an account, oldest first. */
  getAnnouncedMessageIds(account: string): string[];
  setAnnouncedMessageIds(account: string, messageIds: string[]): void;
  /**
   * Writes what is pending at once. A store may gather the changes of one turn of the event
   * loop into one write (a first start baselines every mailbox in one turn); the supervisor
   * calls this when it stops.
   */
  flush?(): void;
}

/** Resolves an account's password when a connection needs it; never cached by the engine. */
export interface SecretSource {
  getPassword(account: string): Promise<string>;
}

/** Shows announcements to the user (desktop popups, JSON lines, tray). */
export interface Notifier {
  notify(announcement: Announcement): void;
}

/** Something happened to the machine that makes every connection suspect. */
export type SystemEventKind = 'resume' | 'network-changed' | 'suspend';

/** Power and network events, from `powerMonitor` in Electron or from drift and polling in Node. */
export interface SystemEvents {
  onEvent(listener: (kind: SystemEventKind, detail: string) => void): () => void;
  /** False when the machine has no network at all (no interface but loopback). */
  isOnline(): boolean;
}

/** Time, injected so heartbeats and backoff can be tested with fake timers. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): () => void;
}

/** Where the engine writes diagnostics. Never receives a password. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * False when `debug` drops what it is given (no `--verbose`, no TIDINGS_DEBUG): a caller
   * may then skip building a debug line at all. Absent: debug lines may be kept.
   */
  readonly debugEnabled?: boolean;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debugEnabled: false,
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Receives each watcher state change. */
export type StatusListener = (status: WatcherStatus) => void;
