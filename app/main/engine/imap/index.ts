/**
 * The one door to imapflow: a session with every command under a deadline, TLS options
 * and probes, the connect gate (per server and user).
 * Code outside this folder imports only from here.
 */
export { chooseAll, MAX_ALL_MAILBOXES, type AllMailboxes } from './all-mailboxes.js';
export { ConnectGate, ConnectGates } from './connect-gate.js';
export {
  createGreetingProbe,
  type GreetingProbe,
  type GreetingProbeOptions,
} from './greeting-probe.js';
export type { EarlyConnections } from './early-transport.js';
export { ImapSession, type MailboxChange, type SelectedMailbox } from './imap-session.js';
export { pathKey, samePath, type ListedMailbox, type MailboxStatus } from './mailbox-status.js';
export { accountSessionOptions } from './session-options.js';
export { flagsOf, holdsUid, markSeen, moveMessage, selectForChange } from './message-changes.js';
export { readCaFile } from './tls-options.js';
export { normalizeFingerprint } from './tls-probe.js';
export { readLines, type LineReader } from './line-reader.js';
export { negotiateStartTls } from './starttls.js';
