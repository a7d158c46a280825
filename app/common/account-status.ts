/**
 * What a watcher reports about itself: its state and a human-readable detail.
 * Shared by the engine, `tidings watch --json` and the desktop app's tray and window.
 */

/** Every state a (account, mailbox) watcher can be in. */
export const watcherStates = [
  'connecting',
  'syncing',
  'idle',
  'backoff',
  'offline',
  'auth-failed',
  'tls-error',
  'error',
  'stopped',
] as const;
export type WatcherState = (typeof watcherStates)[number];

/** States that need the user: retrying on our own would not help. */
export const problemStates: ReadonlySet<WatcherState> = new Set([
  'auth-failed',
  'tls-error',
  'error',
]);

/** One state change of one watcher. */
export interface WatcherStatus {
  account: string;
  mailbox: string;
  state: WatcherState;
  detail: string;
  /** Unseen messages in the mailbox at the last sync, or null before the first one. */
  unread: number | null;
  at: Date;
  /**
   * How the mailbox is watched: pushed by IDLE on its own connection, pushed by NOTIFY on the
   * account's one connection, or polled with STATUS every `pollSeconds`.
   */
  via?: WatchVia;
}

/** How a mailbox's news reaches Tidings. */
export type WatchVia = 'idle' | 'notify' | 'poll';
