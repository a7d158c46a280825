/**
 * Which mailboxes of an account get their own IDLE connection and which are polled, on a
 * server without NOTIFY (issue 13): IDLE on INBOX and on as many others as the connection
 * budget allows with one connection kept spare (for the settings window, `tidings check`,
 * another client), and the rest checked with STATUS on one shared connection.
 */

/** The fallback plan for one account. */
export interface IdlePlan {
  /** Mailboxes with an IDLE connection each, INBOX first. */
  idle: string[];
  /** Mailboxes polled on one shared connection (empty: no poller). */
  poll: string[];
}

/** Plans `mailboxes` within `limit` connections. */
export function planIdle(mailboxes: readonly string[], limit: number): IdlePlan {
  const ordered = [
    ...mailboxes.filter((m) => m.toUpperCase() === 'INBOX'),
    ...mailboxes.filter((m) => m.toUpperCase() !== 'INBOX'),
  ];
  // A spare only where it leaves room to push at least one mailbox beside the poller.
  const usable = limit >= 3 ? limit - 1 : Math.max(1, limit);
  if (ordered.length <= usable) return { idle: ordered, poll: [] };
  const idleCount = usable - 1;
  return { idle: ordered.slice(0, idleCount), poll: ordered.slice(idleCount) };
}
