/**
 * An action asked from a popup (issue 24), run for the app or `tidings watch`: one connection
 * borrowed from the account's budget (the watchers' own connections are never taken from
 * their waits), logged in, the action done (message-action.ts), logged out, the slot given
 * back. Every outcome is returned, never thrown: the caller shows a refusal or a failure
 * ("Couldn't delete: …") and logs it.
 */
import type { AccountSettings, LivenessSettings } from '../../../common/settings-schema.js';
import { classifyError, type Clock, type CredentialSource, type Logger } from '../base/index.js';
import { accountSessionOptions, ImapSession } from '../imap/index.js';
import type { MessageAction } from './action-target.js';
import { actOnMessage, type ActionOutcome, type MessageAddress } from './message-action.js';

/** How long an action waits for a free connection of its account before it gives up. */
export const BORROW_WAIT_MS = 30_000;

/** What an action needs from the engine that runs it. */
export interface ActionRunnerDeps {
  credentials: CredentialSource;
  /** Takes a slot of the account's connection budget; resolves with how to give it back. */
  borrow(accountId: string, signal: AbortSignal): Promise<() => void>;
  liveness: LivenessSettings;
  clock: Clock;
  logger: Logger;
}

/** Does `action` on the message at `address` of `account`, on a connection of its own. */
export async function runAction(
  deps: ActionRunnerDeps,
  account: AccountSettings,
  address: MessageAddress,
  action: MessageAction,
): Promise<ActionOutcome> {
  const waiting = new AbortController();
  const cancel = deps.clock.setTimeout(() => waiting.abort(), BORROW_WAIT_MS);
  let release: () => void;
  try {
    release = await deps.borrow(account.id, waiting.signal);
  } catch {
    return { done: false, reason: `no connection of ${account.id} came free within 30 s` };
  } finally {
    cancel();
  }
  let session: ImapSession | undefined;
  try {
    const { liveness } = deps;
    const credentials = await deps.credentials.getCredentials(account.id);
    session = await ImapSession.open(
      accountSessionOptions(account, credentials, {
        commandTimeoutMs: liveness.commandTimeoutSeconds * 1000,
        socketTimeoutMs: 2 * liveness.commandTimeoutSeconds * 1000,
        clock: deps.clock,
        logger: deps.logger,
        label: `${account.id}/${action}`,
      }),
    );
    return await actOnMessage(session, account, address, action);
  } catch (error) {
    const failure = classifyError(error);
    return { done: false, reason: failure.message };
  } finally {
    await session?.logout(2_000);
    release();
  }
}
