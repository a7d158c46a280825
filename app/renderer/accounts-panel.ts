/**
 * The Accounts section: the list of accounts with the live state of each watched mailbox, and
 * which of the section's two views shows (the list, or the form for one account).
 */
import type { AccountView, StatusView } from '../common/ipc-contract.js';
import { byId, h } from './dom.js';

/** What the list's buttons do. */
export interface AccountActions {
  edit(account: AccountView): void;
  remove(account: AccountView): Promise<void>;
  /** "Sign in again" for an OAuth2 account whose sign-in the provider no longer accepts. */
  signInAgain(account: AccountView): void;
  /** "Check certificate" for an account stopped at a certificate it does not trust. */
  checkCertificate(account: AccountView): void;
}

const stateLabel: Record<StatusView['state'], string> = {
  connecting: 'connecting',
  syncing: 'syncing',
  idle: 'watching',
  backoff: 'reconnecting',
  offline: 'offline',
  'auth-failed': 'login rejected',
  'tls-error': 'certificate problem',
  error: 'error',
  stopped: 'stopped',
};

/** Renders the accounts and their statuses. */
export function renderAccounts(
  accounts: AccountView[],
  statuses: StatusView[],
  actions: AccountActions,
): void {
  byId('no-accounts').hidden = accounts.length > 0;
  const list = byId<HTMLUListElement>('account-list');
  list.replaceChildren(...accounts.map((account) => accountItem(account, statuses, actions)));
}

/** Shows the account form in place of the list (its title beside the section's), or the list. */
export function showAccountEditor(open: boolean): void {
  byId('accounts').hidden = open;
  byId('add-account').hidden = open;
  byId('account-editor').hidden = !open;
  byId('editor-crumb').hidden = !open;
  byId('editor-title').hidden = !open;
}

function accountItem(
  account: AccountView,
  statuses: StatusView[],
  actions: AccountActions,
): HTMLLIElement {
  const name = account.name ?? account.id;
  const edit = h('button', { type: 'button', 'aria-label': `Edit ${name}` }, 'Edit');
  edit.addEventListener('click', () => actions.edit(account));
  const remove = h(
    'button',
    { type: 'button', class: 'danger', 'aria-label': `Remove ${name}` },
    'Remove',
  );
  remove.addEventListener('click', () => {
    // Two steps, no modal: the first press asks, the second removes.
    if (remove.dataset.confirm !== 'yes') {
      remove.dataset.confirm = 'yes';
      remove.textContent = 'Confirm removal';
      return;
    }
    void actions.remove(account);
  });
  const signInAgain = h(
    'button',
    { type: 'button', class: 'primary', 'aria-label': `Sign in to ${name} again` },
    'Sign in again',
  );
  signInAgain.addEventListener('click', () => actions.signInAgain(account));
  const checkCertificate = h(
    'button',
    { type: 'button', class: 'primary', 'aria-label': `Check the certificate of ${name}` },
    'Check certificate',
  );
  checkCertificate.addEventListener('click', () => actions.checkCertificate(account));
  const untrusted = statuses.some((s) => s.account === account.id && s.state === 'tls-error');
  const oauth2 = account.auth === 'oauth2';
  const refused = statuses.some((s) => s.account === account.id && s.state === 'auth-failed');
  // "All folders": whatever the engine watches now, INBOX first.
  const shown = account.allMailboxes
    ? [
        ...new Set([
          ...account.mailboxes,
          ...statuses.filter((s) => s.account === account.id).map((s) => s.mailbox),
        ]),
      ]
    : account.mailboxes;
  const mailboxes = shown.map((mailbox) => {
    const status = statuses.find((s) => s.account === account.id && s.mailbox === mailbox);
    const state = status?.state ?? 'stopped';
    const unread = status?.unread ?? null;
    return h(
      'div',
      { class: 'mailbox-status', 'data-mailbox': mailbox },
      h('span', {}, mailbox),
      h(
        'span',
        { class: `state state-${state}`, 'data-state': state },
        oauth2 && state === 'auth-failed' ? 'sign in again' : stateLabel[state],
      ),
      unread === null ? '' : h('span', {}, `${unread} unread`),
      status && state !== 'idle' ? h('span', { class: 'detail' }, status.detail) : '',
    );
  });
  return h(
    'li',
    { class: 'account', 'data-account': account.id },
    h(
      'div',
      { class: 'account-title' },
      h('strong', {}, name),
      h('span', { class: 'account-where' }, `${account.user} on ${account.host}`),
    ),
    ...mailboxes,
    h(
      'div',
      { class: 'account-actions' },
      ...(oauth2 && refused ? [signInAgain] : []),
      ...(untrusted && account.tls !== 'none' ? [checkCertificate] : []),
      edit,
      remove,
    ),
  );
}
