/**
 * Which of an account's watchers a settings change replaces, and which keep running: the
 * supervisor applies settings without a restart, so a display name or a popup rule must not
 * drop a live connection, while a new server, mailbox list (NOTIFY) or plan must.
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import { connectionLimitFor } from './connection-budget.js';
import { planIdle } from './watch-plan.js';

/** What the supervisor knows beyond the two settings. */
export interface ChangeContext {
  /** The liveness settings (heartbeat, deadlines) changed: every connection is replaced. */
  livenessChanged: boolean;
  /** The account's `auto` watcher fell back to IDLE and polling on a server without NOTIFY. */
  fellBack: boolean;
  /** The connection limit in force for an account (learned limits included). */
  limitOf(account: AccountSettings): number;
}

/** True when the watchers of `old` must stop (and those of `next`, if any, start). */
export function replacesWatchers(
  old: AccountSettings,
  next: AccountSettings | undefined,
  context: ChangeContext,
): boolean {
  if (context.livenessChanged || !next || !sameConnection(next, old)) return true;
  if (!samePlan(next, old)) return true;
  // `auto` that fell back to IDLE and polling plans a changed list anew.
  if ((next.watchMode ?? 'auto') === 'idle') return false;
  // NOTIFY is set once per connection (see status-watcher.ts): a changed list reconnects.
  if (!sameList(next, old)) return true;
  // `auto` that fell back to IDLE and polling planned within the old limit: a new one plans
  // anew, or a mailbox would have two watchers, or none.
  return context.fellBack && context.limitOf(next) !== context.limitOf(old);
}

/**
 * Everything but the mailbox list, display fields and the connection budget (applied by
 * resizing it, without dropping live connections) decides the connection. Popup rules,
 * popup buttons, where Delete and Archive move mail, and hooks are read per message or per
 * click, not per connection, and leave it alone too.
 */
export function sameConnection(a: AccountSettings, b: AccountSettings): boolean {
  const strip = ({
    mailboxes: _m,
    name: _n,
    openUrl: _o,
    maxConnections: _c,
    popups: _p,
    quietMailboxes: _q,
    onNewMail: _h,
    onNewMailPost: _hp,
    watchMode: _w,
    pollSeconds: _s,
    popupActions: _a,
    popupClick: _pc,
    trashMailbox: _t,
    archiveMailbox: _ar,
    ...rest
  }: AccountSettings) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function sameList(a: AccountSettings, b: AccountSettings): boolean {
  return a.mailboxes.join('\u0000') === b.mailboxes.join('\u0000');
}

// How the account is watched. A NOTIFY account takes a changed mailbox list on its
// connection; an IDLE account whose polled set changes is planned anew.
function samePlan(a: AccountSettings, b: AccountSettings): boolean {
  if ((a.watchMode ?? 'auto') !== (b.watchMode ?? 'auto') || a.pollSeconds !== b.pollSeconds) {
    return false;
  }
  if ((a.watchMode ?? 'auto') !== 'idle') return true;
  const limit = (account: AccountSettings) => connectionLimitFor(account).limit;
  const polled = (account: AccountSettings) =>
    planIdle(account.mailboxes, limit(account)).poll.join('\u0000');
  return polled(a) === polled(b);
}
