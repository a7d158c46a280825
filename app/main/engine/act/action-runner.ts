/**
 * An action asked from a popup (issue 24), run for the app or `tidings watch`: one connection
 * borrowed from the account's budget (the watchers' own connections are never taken from
 * their waits), logged in, the action done (message-action.ts), logged out, the slot given
 * back. Every outcome is returned, never thrown: the caller shows a refusal or a failure
 * ("Couldn't delete: …") and logs it.
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import {
  classifyError,
  TidingsError,
  type Clock,
  type CredentialSource,
  type Logger,
} from '../base/index.js';
import { accountSessionOptions, ImapSession, type ListedMailbox } from '../imap/index.js';
import type { MessageAction } from './action-target.js';
import { actOnMessage, type ActionOutcome, type MessageAddress } from './message-action.js';

/** How long an action waits for a free connection of its account before it gives up. */
export const BORROW_WAIT_MS = 30_000;

/** What an action needs from the engine that runs it. */
export interface ActionRunnerDeps {
  credentials: CredentialSource;
  /**
   * Takes a slot of the account's connection budget; resolves with how to give it back.
   * Without it (`tidings act`, a process of its own) nothing is borrowed.
   */
  borrow?(accountId: string, signal: AbortSignal): Promise<() => void>;
  /** The deadline of the login and of each command. */
  commandTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Does `action` on each message at `addresses` of `account`, one after another on one
 * connection of its own (a summary's "Mark all as read" is one login, not one per message);
 * an outcome per address, in order. A failure of the connection refuses those not done yet.
 */
export async function runActions(
  deps: ActionRunnerDeps,
  account: AccountSettings,
  addresses: readonly MessageAddress[],
  action: MessageAction,
): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  try {
    return await withOwnSession(deps, account, action, async (session) => {
      for (const address of addresses) {
        outcomes.push(await actOnMessage(session, account, address, action));
      }
      return outcomes;
    });
  } catch (error) {
    const reason = classifyError(error).message;
    return [
      ...outcomes,
      ...addresses.slice(outcomes.length).map(() => ({ done: false, reason }) as const),
    ];
  }
}

/** Does `action` on the message at `address` of `account`, on a connection of its own. */
export async function runAction(
  deps: ActionRunnerDeps,
  account: AccountSettings,
  address: MessageAddress,
  action: MessageAction,
): Promise<ActionOutcome> {
  const [outcome] = await runActions(deps, account, [address], action);
  return outcome ?? { done: false, reason: 'nothing was done' };
}

/**
 * The mailboxes of `account` as LIST gives them, on a connection of its own borrowed from the
 * account's budget like an action's: which popup buttons it can offer (action-offers.ts), when
 * no watcher of it will list them (a settings change that asks for Delete or Archive). Throws
 * what the login or the LIST throws.
 */
export async function listMailboxesOf(
  deps: ActionRunnerDeps,
  account: AccountSettings,
): Promise<ListedMailbox[]> {
  return withOwnSession(deps, account, 'list', async (session) => (await session.listAll()).listed);
}

/**
 * Runs `work` on a connection of `account`'s own: a slot borrowed from its budget (given up
 * after BORROW_WAIT_MS), logged in, and on every path logged out and the slot given back.
 * Throws what the borrow, the login or `work` throws.
 */
async function withOwnSession<T>(
  deps: ActionRunnerDeps,
  account: AccountSettings,
  label: string,
  work: (session: ImapSession) => Promise<T>,
): Promise<T> {
  let release: () => void = () => {};
  if (deps.borrow) {
    const waiting = new AbortController();
    const cancel = deps.clock.setTimeout(() => waiting.abort(), BORROW_WAIT_MS);
    try {
      release = await deps.borrow(account.id, waiting.signal);
    } catch {
      throw new TidingsError(
        'network',
        `no connection of ${account.id} came free within ${BORROW_WAIT_MS / 1000} s`,
      );
    } finally {
      cancel();
    }
  }
  let session: ImapSession | undefined;
  try {
    const credentials = await deps.credentials.getCredentials(account.id);
    session = await ImapSession.open(
      accountSessionOptions(account, credentials, {
        commandTimeoutMs: deps.commandTimeoutMs,
        socketTimeoutMs: 2 * deps.commandTimeoutMs,
        clock: deps.clock,
        logger: deps.logger,
        label: `${account.id}/${label}`,
      }),
    );
    return await work(session);
  } finally {
    await session?.logout(2_000);
    release();
  }
}
