/**
 * `tidings act --config FILE ACCOUNT_ID read|delete|archive MAILBOX UIDVALIDITY UID` (issue
 * 24): one action on one announced message, for scripts and hooks (a hook gets the mailbox,
 * UIDVALIDITY and UID of each message in its environment). Logs in as `watch` would, does it
 * and logs out (engine/act's `runAction`, as a popup's button does in the app). Exit 0 done, 1 refused with the reason (or the server could not be
 * reached, or refused the login), 2 bad input (usage, config, an unknown account).
 */
import { runAction, type MessageAddress, type MessageAction } from '../../engine/act/index.js';
import { systemClock } from '../../engine/base/index.js';
import { sanitizeServerText } from '../../engine/base/index.js';
import { setUpCheck } from './check-setup.js';
import { ConfigError } from '../config/index.js';
import { createStderrLogger } from '../output/index.js';

/** The parsed options of `tidings act`. */
export interface ActOptions {
  config: string;
  account: string;
  action: MessageAction;
  address: MessageAddress;
  json: boolean;
  stateDir: string | undefined;
  verbose: boolean;
  /** The deadline of each step (login, each command). */
  timeoutMs: number;
}

/** Does the action; resolves with the exit code. */
export async function runAct(options: ActOptions): Promise<number> {
  const setup = await setUpCheck(options);
  const logger = createStderrLogger(options.verbose);
  const account = setup.settings.accounts.find((candidate) => candidate.id === options.account);
  if (!account) {
    setup.close();
    const known = setup.settings.accounts.map((a) => a.id).join(', ');
    throw new ConfigError(options.config, [`no account "${options.account}" (accounts: ${known})`]);
  }
  const { address, action } = options;
  // One process, one connection: nothing to borrow from a budget.
  const deps = {
    credentials: setup.credentials,
    commandTimeoutMs: options.timeoutMs,
    clock: systemClock,
    logger,
  };
  const outcome = await runAction(deps, account, address, action).finally(() => setup.close());
  const what = `${account.id}: ${address.mailbox} UID ${address.uid}`;
  if (options.json) {
    const document = { account: account.id, action, ...address, ...outcome };
    process.stdout.write(`${JSON.stringify(document)}\n`);
  } else if (outcome.done) {
    process.stdout.write(`${sanitizeServerText(`${what}: ${outcome.text}`)}\n`);
  } else {
    process.stderr.write(
      `tidings: ${sanitizeServerText(`${what}: not done: ${outcome.reason}`)}\n`,
    );
  }
  return outcome.done ? 0 : 1;
}
