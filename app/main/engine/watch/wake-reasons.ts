/**
 * Why a watcher's wait ends: mailbox news, the user's triggers, the machine's events. Which
 * triggers end which waits is decided here, in words and sets.
 */

/** Why a watcher was woken. */
export type WakeReason =
  | 'exists'
  | 'expunge'
  | 'flags'
  | 'refresh'
  | 'resume'
  | 'network-changed'
  | 'retry'
  | 'activity'
  | 'folders-changed'
  | 'server-back'
  | 'suspend'
  | 'stop';

/** How a reason reads in a status detail ("syncing: new mail, refresh"). */
export const reasonText: Record<WakeReason, string> = {
  exists: 'new mail',
  expunge: 'messages removed',
  flags: 'flags changed',
  refresh: 'refresh',
  resume: 'resume from sleep',
  'network-changed': 'network changed',
  retry: 'retry',
  activity: 'new mail elsewhere in the account',
  'folders-changed': 'the folder list changed',
  'server-back': 'the server answers again',
  suspend: 'system going to sleep',
  stop: 'stop',
};

/** Triggers that may end a wait for the user after auth or TLS failures. */
export const USER_RETRY: ReadonlySet<WakeReason> = new Set(['retry', 'refresh', 'stop']);
/** Triggers that end an offline wait. */
export const BACK_ONLINE: ReadonlySet<WakeReason> = new Set([
  'network-changed',
  'resume',
  'retry',
  'refresh',
  'stop',
]);
/** Triggers after which a live connection is suspect and a dead one is retried at once. */
export const SUSPECT: ReadonlySet<WakeReason> = new Set(['resume', 'network-changed']);
