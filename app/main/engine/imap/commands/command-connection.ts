/**
 * The narrow connection our own commands run over (one command, one file, as imapflow's
 * `lib/commands/*.js` and go-imap v2's `imapclient/*.go` are written): imapflow's internal
 * command path, mailbox-name coding, capabilities, and where a STATUS that answers no
 * command goes. A test can hand a command a plain object with these.
 */
import type { ImapFlowInternals, UntaggedResponse } from '../imapflow-internals.js';

/** What a command needs from the session. */
export interface CommandConnection {
  exec: ImapFlowInternals['exec'];
  /** The name as it goes on the wire (modified UTF-7, RFC 3501 §5.1.3). */
  encodeName(path: string): string;
  decodeName(raw: string): string;
  has(capability: string): boolean;
  /** Hands an untagged STATUS that answers no command to the NOTIFY listeners. */
  pushStatus(untagged: UntaggedResponse): void;
  /** Hands an untagged LIST that answers no command to the MailboxName listener. */
  pushList(untagged: UntaggedResponse): void;
}
