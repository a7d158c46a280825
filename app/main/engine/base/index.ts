/**
 * The engine's ground floor: errors and their codes, the ports (interfaces the composition
 * roots fill), deadlines, text from the wire made safe, the announcement, credentials.
 * Code outside this folder imports only from here.
 */
export {
  type Announcement,
  type MessageChange,
  type NewMessage,
  type NotificationText,
} from './announcement.js';
export {
  type AccessTokenSource,
  type Credentials,
  type CredentialSource,
  oauth2Credentials,
  passwordCredentials,
} from './credentials.js';
export { formatSeconds, sleep, withDeadline } from './deadline.js';
export { classifyError, type ErrorCode, formatBytes, isTransient, TidingsError } from './errors.js';
export { isLoopbackAddressOrLocalhost, isLoopbackHost } from './loopback.js';
export {
  type Clock,
  type Logger,
  type MailboxCursor,
  type Notifier,
  type SecretSource,
  silentLogger,
  type StateStore,
  type StatusListener,
  systemClock,
  type SystemEventKind,
  type SystemEvents,
} from './ports.js';
export { decodeRawHeader, displayNameOf, isGarbled } from './raw-header.js';
export {
  formatSender,
  MAX_SENDER_LENGTH,
  MAX_SUBJECT_LENGTH,
  sanitizeServerText,
  sanitizeText,
  senderDisplayName,
} from './sanitize-text.js';
