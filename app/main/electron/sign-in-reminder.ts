/**
 * "Sign in again", said once: when an OAuth2 account's watchers stop at `auth-failed` (the
 * provider no longer takes its sign-in), one native notification says so, and clicking it
 * opens Settings, where the account has its "Sign in again" button. Each mailbox of the
 * account reports the state; the user hears of it once per account until it works again.
 */
import { Notification } from 'electron';
import type { WatcherStatus } from '../../common/account-status.js';

/** What the reminder needs from the app. */
export interface SignInReminderDeps {
  /** The account's display name, if it signs in with OAuth2; undefined otherwise. */
  oauth2AccountName(id: string): string | undefined;
  openSettings(): void;
}

/** A status listener that reminds once per account and stoppage. */
export function createSignInReminder(deps: SignInReminderDeps): (status: WatcherStatus) => void {
  const reminded = new Set<string>();
  // Referenced until it closes: Electron drops the events of a collected notification.
  const shown = new Set<Notification>();
  return (status) => {
    if (status.state !== 'auth-failed') {
      if (status.state === 'idle') reminded.delete(status.account);
      return;
    }
    const name = deps.oauth2AccountName(status.account);
    if (name === undefined || reminded.has(status.account)) return;
    reminded.add(status.account);
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: `Sign in to ${name} again`,
      body: 'The provider no longer accepts the sign-in. Open Settings to sign in again.',
    });
    shown.add(notification);
    notification.on('click', () => {
      shown.delete(notification);
      deps.openSettings();
    });
    notification.on('close', () => shown.delete(notification));
    notification.show();
  };
}
