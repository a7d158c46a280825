/**
 * The buttons of a popup and what a click on one does (issue 24), for every notifier alike:
 * Electron's on macOS and Windows, and the freedesktop D-Bus popups of Linux (the desktop
 * app's and `tidings watch`'s). Which buttons a popup offers is a pure function of the popup
 * and its account's settings; running one goes through the engine's `act` (the supervisor's
 * borrowed connection), withdraws the popup of each message done, and shows and logs each
 * refusal — never dropped, never retried onto another message.
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import type { ActionOutcome, MessageAction } from '../act/index.js';
import type { Logger } from '../base/index.js';
import type { MessageKey, Popup } from './popup-policy.js';

/** A popup button: its label, its key on the bus, and what it does to which messages. */
export interface PopupButton {
  /** Unique within one popup; the D-Bus action key (never "default": that is the click). */
  key: string;
  text: string;
  action: MessageAction;
  messages: MessageKey[];
}

/** Does an action on messages of one account and mailbox (the engine's `actOnEach`). */
export type PopupAct = (
  messages: readonly MessageKey[],
  action: MessageAction,
) => Promise<ActionOutcome[]>;

/** A button's label, and the words of its failure ("Couldn't delete"). */
export const ACTION_TEXT: Readonly<Record<MessageAction, { label: string; verb: string }>> = {
  read: { label: 'Mark as read', verb: 'mark as read' },
  delete: { label: 'Delete', verb: 'delete' },
  archive: { label: 'Archive', verb: 'archive' },
};

/** Which of an account's popup actions can be offered now (the engine's `offeredActions`). */
export type OfferedActions = (account: AccountSettings) => readonly MessageAction[];

/**
 * The buttons of `popup`: a single message's, as its account lists them (`popupActions`, else
 * Mark as read and Delete) less what `offered` cannot offer (Delete without a Trash, Archive
 * without an archive mailbox: the supervisor's `offeredActions`); a summary's "Mark all as
 * read" for exactly the messages it counts; none for a catch-up, or for an account no longer
 * configured (`account` undefined).
 */
export function buttonsOf(
  popup: Popup,
  account: AccountSettings | undefined,
  offered: OfferedActions,
): PopupButton[] {
  // An account removed since: nothing is known of where its mail could move.
  if (account === undefined) return [];
  if (popup.kind === 'message') {
    return offered(account).map((action) =>
      action === 'read'
        ? markAsRead(popup.message)
        : { key: action, text: ACTION_TEXT[action].label, action, messages: [popup.message] },
    );
  }
  if (popup.kind === 'summary' && popup.messages.length > 0) {
    return [
      { key: 'read-all', text: 'Mark all as read', action: 'read', messages: popup.messages },
    ];
  }
  return [];
}

/**
 * What a click on `popup` does: a single message's as its account's `popupClick` says (open
 * it, the default; mark it as read; nothing but closing it); a summary or a catch-up opens.
 */
export function clickAction(
  popup: Popup,
  account: Pick<AccountSettings, 'popupClick'> | undefined,
): 'open' | 'read' | 'none' {
  return popup.kind === 'message' ? (account?.popupClick ?? 'open') : 'open';
}

/** A single message's Mark as read, as its button and a `popupClick: "read"` click run it. */
export function markAsRead(message: MessageKey): PopupButton {
  return { key: 'read', text: ACTION_TEXT.read.label, action: 'read', messages: [message] };
}

/** The account a popup is about; undefined for a catch-up (it may count several). */
export function popupAccount(popup: Popup): string | undefined {
  if (popup.kind === 'message') return popup.message.account;
  return popup.kind === 'summary' ? popup.account : undefined;
}

/** What running a button needs from its notifier. */
export interface ButtonRunDeps {
  act: PopupAct;
  /** Takes a message's popup off the screen (the policy's `withdraw`). */
  withdraw(message: MessageKey): void;
  /** Shows a failure as a popup of its own ("Couldn't delete", the reason). */
  showFailure(title: string, body: string): void;
  logger: Logger;
}

/**
 * Does a button's action on each of its messages; each one done is withdrawn, each refusal
 * or failure shown as a popup ("Couldn't delete: …") and logged. Never throws.
 */
export async function runButton(button: PopupButton, deps: ButtonRunDeps): Promise<void> {
  // A summary's messages are of one account and one mailbox: one call, one connection.
  const outcomes = await deps
    .act(button.messages, button.action)
    .catch((error: unknown) =>
      button.messages.map((): ActionOutcome => ({ done: false, reason: String(error) })),
    );
  const verb = ACTION_TEXT[button.action].verb;
  for (const [i, message] of button.messages.entries()) {
    const outcome = outcomes[i] ?? { done: false, reason: 'nothing was done' };
    if (outcome.done) {
      deps.withdraw(message);
      continue;
    }
    deps.logger.warn(`couldn't ${verb} ${message.mailbox} UID ${message.uid}: ${outcome.reason}`);
    try {
      deps.showFailure(`Couldn't ${verb}`, outcome.reason);
    } catch (error) {
      deps.logger.warn(`cannot show the failure: ${String(error)}`);
    }
  }
}
