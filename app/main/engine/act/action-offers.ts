/**
 * Which popup buttons an account can offer (issue 24: "With no Trash found, Delete is not
 * offered"; Archive likewise). Mark as read always can; Delete and Archive only once a LIST of
 * the account showed where they would move the message (action-target.ts decides, against the
 * account's settings of the moment, so a `trashMailbox` changed later counts at once).
 *
 * The LIST is one the engine makes anyway (`"mailboxes": "all"`, an action's own) or, for an
 * account whose watchers never list, one after its first connection's first sync (so no
 * announcement waits for it), once per account while the engine runs. Until then, and when
 * the LIST failed, Delete and Archive are not offered: a button that can only fail is worse
 * than none.
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import type { ListedMailbox } from '../imap/index.js';
import { targetOf, type MessageAction } from './action-target.js';

/** The buttons of a single-message popup when the account names none (`popupActions`). */
export const DEFAULT_POPUP_ACTIONS: readonly MessageAction[] = ['read', 'delete'];

/** The actions an account's popups ask for: its `popupActions`, else the default. */
export function wantedActions(account: Pick<AccountSettings, 'popupActions'>): MessageAction[] {
  return [...(account.popupActions ?? DEFAULT_POPUP_ACTIONS)];
}

/** What each account's LIST showed, for the actions that move a message. */
export class ActionOffers {
  private readonly listed = new Map<string, readonly ListedMailbox[]>();
  // Accounts whose LIST is asked right now: one connection lists, not every watcher of it.
  private readonly asking = new Set<string>();

  /**
   * Whether a connection of `account` should list its mailboxes now: its popups want Delete or
   * Archive, no LIST of it is known or under way, and its watchers do not list anyway ("all").
   * True claims the LIST: `note` or `failed` must follow.
   */
  claimList(account: AccountSettings): boolean {
    if (account.allMailboxes || account.popups === false) return false;
    if (!wantedActions(account).some((action) => action !== 'read')) return false;
    if (this.listed.has(account.id) || this.asking.has(account.id)) return false;
    this.asking.add(account.id);
    return true;
  }

  /** What a LIST of `accountId` gave (kept until the next one, or `forget`). */
  note(accountId: string, listed: readonly ListedMailbox[]): void {
    this.asking.delete(accountId);
    this.listed.set(accountId, listed);
  }

  /** The claimed LIST failed: the next connection of the account asks again. */
  failed(accountId: string): void {
    this.asking.delete(accountId);
  }

  /** The account was removed or reconfigured: what its LIST showed no longer holds. */
  forget(accountId: string): void {
    this.listed.delete(accountId);
    this.asking.delete(accountId);
  }

  /**
   * The actions `account`'s single-message popups offer, in its order: `wanted` (its
   * `popupActions` or the default) less Delete without a Trash, Archive without an Archive,
   * and both while no LIST of it is known.
   */
  offered(account: AccountSettings): MessageAction[] {
    const listed = this.listed.get(account.id);
    return wantedActions(account).filter(
      (action) =>
        action === 'read' || (listed !== undefined && 'path' in targetOf(action, listed, account)),
    );
  }
}
