/**
 * `tidings act`'s positionals, checked before anything is loaded or connected (exit 2):
 * ACCOUNT_ID read|delete|archive MAILBOX UIDVALIDITY UID.
 */
import type { MessageAction, MessageAddress } from '../../engine/act/index.js';

const ACTIONS: readonly string[] = ['read', 'delete', 'archive'];

/** The problem with `act`'s positionals, if any (exit 2). */
export function checkActArgs(rest: string[]): string | undefined {
  const usage = 'act: give ACCOUNT_ID read|delete|archive MAILBOX UIDVALIDITY UID';
  if (rest.length !== 5) return `${usage} (${rest.length} given)`;
  const [, action, mailbox, uidValidity, uid] = rest as [string, string, string, string, string];
  if (!ACTIONS.includes(action)) return `act: "${action}" is not one of read, delete, archive`;
  if (mailbox === '') return 'act: MAILBOX is empty';
  for (const [name, value] of [
    ['UIDVALIDITY', uidValidity],
    ['UID', uid],
  ] as const) {
    // RFC 9051: both are nz-number, 32-bit unsigned.
    if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 0xffffffff) {
      return `act: ${name} must be a number from 1 to 4294967295, not "${value}"`;
    }
  }
  return undefined;
}

/** The options of `act`'s checked positionals. */
export function actArgs(rest: string[]): {
  account: string;
  action: MessageAction;
  address: MessageAddress;
} {
  const [account = '', action, mailbox = '', uidValidity, uid] = rest;
  return {
    account,
    action: action as MessageAction,
    address: { mailbox, uidValidity: Number(uidValidity), uid: Number(uid) },
  };
}
